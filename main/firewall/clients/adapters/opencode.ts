import { join } from 'node:path';
import { rootMap } from '../entry-shape.js';
import { homeDir, xdgConfigDir } from '../platform-paths.js';
import type { ClientAdapter, ConfigFileSpec, EntryShape } from '../types.js';
import { serversFile } from './shared.js';

// opencode: `command` is the whole argv array and env is `environment`.
const shape: Partial<EntryShape> = { commandIsArgv: true, envKeys: ['environment'], urlKeys: ['url'] };

export const opencode: ClientAdapter = {
  id: 'opencode',
  displayName: 'opencode',
  processNames: ['opencode'],
  configFiles(ctx) {
    const names = ['opencode.json', 'opencode.jsonc'];
    const files: ConfigFileSpec[] = [];
    const globalDir = ctx.platform === 'win32' ? join(homeDir(ctx), '.config', 'opencode') : join(xdgConfigDir(ctx), 'opencode');
    for (const n of names) files.push(serversFile(join(globalDir, n), 'user', { key: 'mcp', shape }));
    files.push(serversFile(join(homeDir(ctx), '.agents', 'mcp.json'), 'user', { shape, containers: rootMap('user') }));
    for (const dir of ctx.projectDirs) {
      for (const n of names) files.push(serversFile(join(dir, n), 'project', { key: 'mcp', shape }));
      files.push(serversFile(join(dir, '.agents', 'mcp.json'), 'project', { shape, containers: rootMap('project') }));
    }
    return files;
  },
};
