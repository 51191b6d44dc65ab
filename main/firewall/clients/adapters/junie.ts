import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

// JetBrains AI Assistant keeps servers in the IDE settings store (UI-managed): not rewritten.
export const junie: ClientAdapter = {
  id: 'junie',
  displayName: 'Junie',
  configFiles(ctx) {
    const rel = join('.junie', 'mcp', 'mcp.json');
    return [serversFile(join(homeDir(ctx), rel), 'user'), ...inProjects(ctx, rel)];
  },
};
