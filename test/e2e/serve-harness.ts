import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngineWithClientHome, stdioEntry } from '../helpers/client-home.js';
import { CLI, EVERYTHING_SERVER, FILESYSTEM_SERVER, REPO_ROOT } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Logs `page` in with the one-time URL `dashboard --print-url` prints, and waits for the first page. */
export async function signIn(page: Page, engine: Pick<ServedDashboard, 'cli'>): Promise<void> {
  await page.goto(engine.cli(['dashboard', '--print-url']).stdout.trim());
  await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
}

export interface FilesystemDashboard {
  served: ServedDashboard;
  /** server-filesystem on `workDir`, approved and connected through the shim as Claude Code. */
  files: ShimConnection;
  workDir: string;
  browser: Browser;
  /** Signed in to the dashboard. */
  page: Page;
  stop(): Promise<void>;
}

/** A real serve under `policy`, server-filesystem on a temp directory, and a signed-in page, for dashboard tests that write files. */
export async function startFilesystemDashboard(policy: string, viewport: { width: number; height: number }): Promise<FilesystemDashboard> {
  const served = await serveDashboard(policy);
  const workDir = mkdtempSync(join(tmpdir(), 'mcpfw-e2e-files-'));
  const approved = served.cli(['registry', 'approve', 'filesystem']);
  if (approved.code !== 0) throw new Error(`registry approve filesystem failed: ${approved.stderr}`);
  const files = await connectThroughShim(served, 'filesystem', [FILESYSTEM_SERVER, workDir], { client: 'claude-code' });
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport, colorScheme: 'light' })).newPage();
  await signIn(page, served);
  return {
    served, files, workDir, browser, page,
    async stop() {
      await files.close();
      await browser.close();
      await served.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
