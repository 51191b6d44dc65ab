import { join } from 'node:path';
import { homeDir, listFiles } from '../platform-paths.js';
import type { ClientAdapter, ConfigFileSpec } from '../types.js';
import { serversFile, type FileOptions } from './shared.js';

// Continue lists servers as YAML sequence items named by `name`, headers under requestOptions.
const yamlOpts: FileOptions = {
  format: 'yaml',
  shape: { headerPaths: [['requestOptions', 'headers'], ['headers']] },
  containers: () => [{ path: ['mcpServers'], kind: 'list', scope: 'user' }],
};

export const continueDev: ClientAdapter = {
  id: 'continue',
  displayName: 'Continue',
  processNames: ['code', 'cursor', 'idea'],
  configFiles(ctx) {
    const files: ConfigFileSpec[] = [serversFile(join(homeDir(ctx), '.continue', 'config.yaml'), 'user', yamlOpts)];
    for (const project of ctx.projectDirs) {
      const dir = join(project, '.continue', 'mcpServers');
      for (const file of listFiles(dir, (n) => /\.ya?ml$/.test(n))) {
        files.push(
          serversFile(file, 'project', {
            ...yamlOpts,
            containers: () => [{ path: ['mcpServers'], kind: 'list', scope: 'project' }],
          }),
        );
      }
      // Claude/Cursor/Cline JSON dropped into the folder is read as-is by Continue.
      for (const file of listFiles(dir, (n) => n.endsWith('.json'))) files.push(serversFile(file, 'project'));
    }
    return files;
  },
};
