import { join } from 'node:path';
import { homeDir, listFiles } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

export const amazonQ: ClientAdapter = {
  id: 'amazon-q',
  displayName: 'Amazon Q Developer',
  processNames: ['q', 'qchat'],
  configFiles(ctx) {
    const root = join(homeDir(ctx), '.aws', 'amazonq');
    return [
      serversFile(join(root, 'mcp.json'), 'user'),
      // Q CLI agents define mcpServers inline, one file per agent.
      ...listFiles(join(root, 'cli-agents'), (n) => n.endsWith('.json')).map((f) => serversFile(f, 'agent')),
      ...inProjects(ctx, join('.amazonq', 'mcp.json')),
    ];
  },
};
