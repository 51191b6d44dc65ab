import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

// Kiro CLI replaced Amazon Q CLI; its file is shared with the Kiro IDE.
export const kiro: ClientAdapter = {
  id: 'kiro',
  displayName: 'Kiro',
  processNames: ['kiro'],
  configFiles(ctx) {
    const rel = join('.kiro', 'settings', 'mcp.json');
    return [serversFile(join(homeDir(ctx), rel), 'user'), ...inProjects(ctx, rel)];
  },
};
