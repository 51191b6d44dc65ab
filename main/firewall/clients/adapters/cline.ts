import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inEditorStorage, serversFile } from './shared.js';

// Cline re-serialises the whole file on every toggle (JSON.stringify), so a byte-exact
// restore only holds until the user touches Cline's MCP panel; span restore covers the rest.
const opts = { shape: { defaultRemote: 'sse' as const } };

export const cline: ClientAdapter = {
  id: 'cline',
  displayName: 'Cline',
  processNames: ['code', 'cursor', 'windsurf'],
  configFiles(ctx) {
    const files = inEditorStorage(ctx, 'saoudrizwan.claude-dev', 'cline_mcp_settings.json', opts);
    const dataDir = ctx.env.CLINE_DATA_DIR || join(ctx.env.CLINE_DIR || join(homeDir(ctx), '.cline'), 'data');
    files.push(serversFile(join(dataDir, 'settings', 'cline_mcp_settings.json'), 'user (cli)', opts));
    return files;
  },
};
