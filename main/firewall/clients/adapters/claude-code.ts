import { join } from 'node:path';
import { isRecord } from '../entry-shape.js';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter, ClientContext, Container } from '../types.js';
import { inProjects, serversFile } from './shared.js';

/** ~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json when the root is relocated. */
export function claudeJsonPath(ctx: ClientContext): string {
  return join(ctx.env.CLAUDE_CONFIG_DIR || homeDir(ctx), '.claude.json');
}

// User servers at the top, "local" (default scope) servers per project path.
function claudeJsonContainers(doc: unknown): Container[] {
  const out: Container[] = [{ path: ['mcpServers'], kind: 'map', scope: 'user' }];
  const projects = isRecord(doc) ? doc.projects : undefined;
  if (isRecord(projects)) {
    for (const [project, entry] of Object.entries(projects)) {
      if (isRecord(entry) && isRecord(entry.mcpServers)) {
        out.push({ path: ['projects', project, 'mcpServers'], kind: 'map', scope: 'local', project });
      }
    }
  }
  return out;
}

export const claudeCode: ClientAdapter = {
  id: 'claude-code',
  displayName: 'Claude Code',
  processNames: ['claude'],
  configFiles(ctx) {
    // managed-mcp.json is admin-owned and read-only: deliberately not listed for rewriting.
    return [
      serversFile(claudeJsonPath(ctx), 'user', { containers: claudeJsonContainers }),
      ...inProjects(ctx, '.mcp.json'),
    ];
  },
};
