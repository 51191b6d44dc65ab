import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { serversFile } from './shared.js';

export const lmStudio: ClientAdapter = {
  id: 'lm-studio',
  displayName: 'LM Studio',
  processNames: ['lm studio', 'lm-studio', 'lmstudio'],
  configFiles(ctx) {
    const files = [serversFile(join(homeDir(ctx), '.lmstudio', 'mcp.json'), 'user')];
    // Some macOS installs keep LM Studio's home in ~/.cache/lm-studio (lmstudio-bug-tracker#1371).
    if (ctx.platform === 'darwin') files.push(serversFile(join(homeDir(ctx), '.cache', 'lm-studio', 'mcp.json'), 'user'));
    return files;
  },
};
