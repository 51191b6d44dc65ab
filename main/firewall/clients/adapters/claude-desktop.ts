import { join } from 'node:path';
import { appDataDir, listDirs, localAppDataDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { serversFile } from './shared.js';

const FILE = 'claude_desktop_config.json';

export const claudeDesktop: ClientAdapter = {
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  processNames: ['claude', 'claude-desktop'],
  configFiles(ctx) {
    // stdio only: the file has no remote entries (remote servers are cloud connectors).
    const files = [serversFile(join(appDataDir(ctx), 'Claude', FILE), 'user')];
    if (ctx.platform === 'win32') {
      // MSIX installs read only their virtualised copy; writes to %APPDATA% are silently ignored.
      for (const pkg of listDirs(join(localAppDataDir(ctx), 'Packages'), (n) => n.startsWith('Claude_'))) {
        files.push(serversFile(join(pkg, 'LocalCache', 'Roaming', 'Claude', FILE), 'user'));
      }
    }
    return files;
  },
};
