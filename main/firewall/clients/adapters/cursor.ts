import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

// Cursor keeps enabled/disabled toggles outside mcp.json, keyed by entry name: protect keeps names.
export const cursor: ClientAdapter = {
  id: 'cursor',
  displayName: 'Cursor',
  processNames: ['cursor'],
  configFiles(ctx) {
    return [serversFile(join(homeDir(ctx), '.cursor', 'mcp.json'), 'user'), ...inProjects(ctx, join('.cursor', 'mcp.json'))];
  },
};
