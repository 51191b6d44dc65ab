import { join } from 'node:path';
import { homeDir } from '../platform-paths.js';
import type { ClientAdapter } from '../types.js';
import { inProjects, serversFile, type FileOptions } from './shared.js';

// Codex rejects unknown keys (deny_unknown_fields): bookkeeping can never live in the entry.
const opts: FileOptions = {
  format: 'toml',
  key: 'mcp_servers',
  shape: { envKeys: ['env'], headerPaths: [['http_headers']], urlKeys: ['url'] },
};

export const codexCli: ClientAdapter = {
  id: 'codex-cli',
  displayName: 'Codex CLI',
  processNames: ['codex'],
  configFiles(ctx) {
    const root = ctx.env.CODEX_HOME || join(homeDir(ctx), '.codex');
    return [serversFile(join(root, 'config.toml'), 'user', opts), ...inProjects(ctx, join('.codex', 'config.toml'), opts)];
  },
};
