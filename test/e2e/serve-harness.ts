import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeClaudeDesktopHome, stdioEntry } from '../helpers/client-home.js';
import { removeHome, startEngine } from '../helpers/engine-harness.js';
import { CLI, EVERYTHING_SERVER, REPO_ROOT } from '../helpers/paths.js';

export const RENDERER_INDEX = join(REPO_ROOT, 'dist', 'renderer', 'index.html');

/** A Claude Desktop config as a user has it before installing the firewall. */
export function claudeDesktopConfig(): string {
  return `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    ${stdioEntry('everything', process.execPath, [EVERYTHING_SERVER])}
  }
}
`;
}

export interface ServedDashboard {
  dataDir: string;
  userHome: string;
  claudeConfig: string;
  env: NodeJS.ProcessEnv;
  port: number;
  cli(args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/**
 * A real `mcp-firewall serve` whose user (HOME, XDG_CONFIG_HOME) is a temp home holding a
 * Claude Desktop config, so the Servers page scans and protects that file and nothing real.
 */
export async function serveDashboard(policy: string): Promise<ServedDashboard> {
  if (!existsSync(CLI) || !existsSync(RENDERER_INDEX)) throw new Error('run `npm run build` first: the e2e tests drive the built CLI and dashboard');
  const home = makeClaudeDesktopHome(claudeDesktopConfig());
  const engine = await startEngine({ policy, env: home.env, cwd: home.userHome });
  return {
    dataDir: engine.home, userHome: home.userHome, claudeConfig: home.configFile, env: engine.env, port: engine.port,
    cli: engine.cli,
    async stop() {
      await engine.stop();
      removeHome(engine.home);
      removeHome(home.userHome);
    },
  };
}
