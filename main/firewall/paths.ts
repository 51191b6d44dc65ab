import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from './jsonrpc/sha256.js';

const APP_DIR_NAME = 'mcp-firewall';

/**
 * The per-user data dir: MCP_FIREWALL_HOME, else the OS app-data dir.
 * Computed from env (not os.homedir() alone) so tests can point it at a temp home.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.MCP_FIREWALL_HOME) return env.MCP_FIREWALL_HOME;
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'MCP Firewall');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'MCP Firewall');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_DIR_NAME);
}

export interface DataPaths {
  dir: string;
  database: string;
  policy: string;
  controlFile: string;
  tokenFile: string;
  socket: string;
}

export function dataPaths(dir: string, platform: NodeJS.Platform = process.platform): DataPaths {
  return {
    dir,
    database: join(dir, 'firewall.db'),
    policy: join(dir, 'policy.yaml'),
    controlFile: join(dir, 'control.json'),
    tokenFile: join(dir, 'control-token'),
    socket: socketPath(dir, platform),
  };
}

// Unix socket paths are limited to ~104 bytes (macOS) / 108 (Linux); deep temp or home
// dirs overflow that, so long paths fall back to a short hashed name in the temp dir.
function socketPath(dir: string, platform: NodeJS.Platform): string {
  const digest = sha256Hex(dir).slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\mcp-firewall-${digest}`;
  const inDir = join(dir, 'engine.sock');
  return Buffer.byteLength(inDir) <= 100 ? inDir : join(tmpdir(), `mcp-firewall-${digest}.sock`);
}
