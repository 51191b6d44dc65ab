import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEngineWithClientHome, stdioEntry } from '../helpers/client-home.js';
import { CLI, EVERYTHING_SERVER, REPO_ROOT } from '../helpers/paths.js';
import { chromium, type Browser } from 'playwright-core';

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
  /** The interposer's URL for `server`, route key included. */
  route(server: string): string;
  cli(args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/**
 * A real `mcp-firewall serve` whose user (HOME, XDG_CONFIG_HOME) is a temp home holding a
 * Claude Desktop config, so the Servers page scans and protects that file and nothing real.
 */
export async function serveDashboard(policy: string): Promise<ServedDashboard> {
  if (!existsSync(CLI) || !existsSync(RENDERER_INDEX)) throw new Error('run `npm run build` first: the e2e tests drive the built CLI and dashboard');
  const served = await startEngineWithClientHome(claudeDesktopConfig(), { policy });
  return {
    dataDir: served.engine.home, userHome: served.userHome, claudeConfig: served.configFile, env: served.clientEnv, port: served.engine.port,
    route: (server) => served.engine.route(server),
    cli: served.engine.cli,
    stop: served.stop,
  };
}

/** Debian's chromium, headless, as every e2e test drives it (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'] });
}
