import { join } from 'node:path';
import { appDataDir, homeDir } from '../platform-paths.js';
import type { ClientAdapter, ClientContext } from '../types.js';
import { inProjects, serversFile } from './shared.js';

function zedConfigDir(ctx: ClientContext): string {
  if (ctx.platform === 'win32') return join(appDataDir(ctx), 'Zed');
  if (ctx.platform === 'darwin') return join(homeDir(ctx), '.config', 'zed');
  return join(ctx.env.FLATPAK_XDG_CONFIG_HOME || ctx.env.XDG_CONFIG_HOME || join(homeDir(ctx), '.config'), 'zed');
}

const opts = { key: 'context_servers' };

export const zed: ClientAdapter = {
  id: 'zed',
  displayName: 'Zed',
  processNames: ['zed', 'zed-editor'],
  configFiles(ctx) {
    return [serversFile(join(zedConfigDir(ctx), 'settings.json'), 'user', opts), ...inProjects(ctx, join('.zed', 'settings.json'), opts)];
  },
};
