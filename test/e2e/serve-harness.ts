import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, removeHome, waitFor } from '../helpers/engine-harness.js';
import { CLI, EVERYTHING_SERVER, REPO_ROOT } from '../helpers/paths.js';

export const RENDERER_INDEX = join(REPO_ROOT, 'dist', 'renderer', 'index.html');

/** A Claude Desktop config as a user has it before installing the firewall. */
export function claudeDesktopConfig(): string {
  const esc = (p: string) => p.replace(/\\/g, '\\\\');
  return `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "everything": { "command": "${esc(process.execPath)}", "args": ["${esc(EVERYTHING_SERVER)}"] }
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
  const dataDir = makeHome();
  const userHome = makeHome();
  const claudeDir = join(userHome, '.config', 'Claude');
  mkdirSync(claudeDir, { recursive: true });
  const claudeConfig = join(claudeDir, 'claude_desktop_config.json');
  writeFileSync(claudeConfig, claudeDesktopConfig());
  writeFileSync(join(dataDir, 'policy.yaml'), policy);
  const env: NodeJS.ProcessEnv = {
    ...process.env, MCP_FIREWALL_HOME: dataDir, HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config'), MCP_FIREWALL_PROGRESS_MS: '200',
  };
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, cwd: userHome, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const controlFile = join(dataDir, 'control.json');
  await waitFor(() => existsSync(controlFile) || child.exitCode !== null, 'serve to start');
  if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
  const { port } = JSON.parse(readFileSync(controlFile, 'utf8')) as { port: number };
  return {
    dataDir, userHome, claudeConfig, env, port,
    cli(args) {
      const r = spawnSync(process.execPath, [CLI, ...args], { env, cwd: userHome, encoding: 'utf8' });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      removeHome(dataDir);
      removeHome(userHome);
    },
  };
}
