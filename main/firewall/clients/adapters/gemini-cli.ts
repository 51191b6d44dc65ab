import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile } from './shared.js';

// System settings files (/etc/gemini-cli, ProgramData) are admin-owned: read-only, not listed.
export const geminiCli: ClientAdapter = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  processNames: ['gemini'],
  configFiles(ctx) {
    const root = ctx.env.GEMINI_CLI_HOME || homeDir(ctx);
    return [serversFile(join(root, '.gemini', 'settings.json'), 'user'), ...inProjects(ctx, join('.gemini', 'settings.json'))];
  },
};
