import { join } from 'node:path';
import { homeDir, listDirs, vscodeUserDir } from '../platform-paths.js';
import type { ClientAdapter, ConfigFileSpec } from '../types.js';
import { inProjects, serversFile } from './shared.js';

const PRODUCTS = ['Code', 'Code - Insiders', 'VSCodium'];
// VS Code's own mcp.json says `servers`, not `mcpServers`.
const opts = { key: 'servers' };

export const vscode: ClientAdapter = {
  id: 'vscode',
  displayName: 'VS Code',
  processNames: ['code', 'code-insiders', 'codium'],
  configFiles(ctx) {
    const files: ConfigFileSpec[] = [];
    for (const product of PRODUCTS) {
      const user = vscodeUserDir(ctx, product);
      files.push(serversFile(join(user, 'mcp.json'), 'user', opts));
      for (const profile of listDirs(join(user, 'profiles'))) {
        files.push(serversFile(join(profile, 'mcp.json'), 'profile', opts));
      }
    }
    files.push(serversFile(join(homeDir(ctx), '.vscode-server', 'data', 'User', 'mcp.json'), 'remote', opts));
    return [...files, ...inProjects(ctx, join('.vscode', 'mcp.json'), opts)];
  },
};
