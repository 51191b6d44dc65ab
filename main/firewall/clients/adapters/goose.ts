import { join } from 'node:path';
import { appDataDir, xdgConfigDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { serversFile } from './shared.js';

// Goose spells the launch cmd/args/envs and keeps env_keys in the OS keyring (left alone).
// It re-serialises the whole file with serde_yaml on any settings change.
export const goose: ClientAdapter = {
  id: 'goose',
  displayName: 'Goose',
  processNames: ['goose'],
  configFiles(ctx) {
    const dir = ctx.platform === 'win32' ? join(appDataDir(ctx), 'Block', 'goose', 'config') : join(xdgConfigDir(ctx), 'goose');
    return [
      serversFile(join(dir, 'config.yaml'), 'user', {
        format: 'yaml',
        key: 'extensions',
        shape: { commandKey: 'cmd', envKeys: ['envs', 'env'], urlKeys: ['uri', 'url'] },
      }),
    ];
  },
};
