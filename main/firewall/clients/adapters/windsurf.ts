import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { serversFile } from './shared.js';

// Team admin whitelists regex-match command and args, so a wrapped entry can fail them.
export const windsurf: ClientAdapter = {
  id: 'windsurf',
  displayName: 'Windsurf',
  processNames: ['windsurf'],
  configFiles(ctx) {
    return [serversFile(join(homeDir(ctx), '.codeium', 'windsurf', 'mcp_config.json'), 'user')];
  },
};
