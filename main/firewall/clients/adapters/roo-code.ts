import { join } from 'node:path';
import { VSCODE_HOSTS, vscodeUserDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

export const rooCode: ClientAdapter = {
  id: 'roo-code',
  displayName: 'Roo Code',
  processNames: ['code', 'cursor', 'windsurf'],
  configFiles(ctx) {
    const rel = join('globalStorage', 'rooveterinaryinc.roo-cline', 'settings', 'mcp_settings.json');
    return [
      ...VSCODE_HOSTS.map((host) => serversFile(join(vscodeUserDir(ctx, host), rel), `user (${host})`)),
      ...inProjects(ctx, join('.roo', 'mcp.json')),
    ];
  },
};
