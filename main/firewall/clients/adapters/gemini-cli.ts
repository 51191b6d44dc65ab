import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

// System settings files (/etc/gemini-cli, ProgramData) are admin-owned: read-only, not listed.
// Gemini reads a bare `url` as the legacy SSE transport; Streamable HTTP is `httpUrl` (or `url` + `type: "http"`).
const opts = { shape: { defaultRemote: 'sse' as const } };

export const geminiCli: ClientAdapter = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  processNames: ['gemini'],
  configFiles(ctx) {
    const root = ctx.env.GEMINI_CLI_HOME || homeDir(ctx);
    return [serversFile(join(root, '.gemini', 'settings.json'), 'user', opts), ...inProjects(ctx, join('.gemini', 'settings.json'), opts)];
  },
};
