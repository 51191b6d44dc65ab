import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { startControlApi } from '../../firewall/api/control-api.js';
import { startClientWatch } from '../../firewall/client-watch.js';
import { defaultClientsDeps } from '../../firewall/api/default-clients-deps.js';
import { createEngine } from '../../firewall/engine.js';
import { createKeytarStore } from '../../firewall/identity/keytar-store.js';
import { createSecretIndex } from '../../firewall/identity/secret-index.js';
import { createSecrets, type Secrets } from '../../firewall/identity/secrets.js';
import { startShimServer } from '../../firewall/ipc/shim-server.js';
import { resolveDataDir } from '../../firewall/paths.js';
import { PolicyLoadError } from '../../firewall/policy/load.js';
import { defaultPolicyFile } from '../app-root.js';
import { parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { readControlInfo } from '../control-client.js';

/** 7337 ("LEET") is easy to remember and clear of the usual dev-server ports. */
export const DEFAULT_PORT = 7337;

export const serveUsage = 'mcp-firewall serve [--port N] [--policy FILE]';

export const serveCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args);
  const portText = stringFlag(parsed, 'port');
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got '${portText}'`);
  const dataDir = resolveDataDir(io.env);
  const progressMs = Number(io.env.MCP_FIREWALL_PROGRESS_MS ?? 5000);

  const running = readControlInfo(io.env);
  if (running && (await socketAnswers(running.info.socket))) {
    io.stderr(`MCP Firewall is already running for ${dataDir} (pid ${running.info.pid}, port ${running.info.port}).\n`);
    return 1;
  }

  let engine;
  // Bound right after createEngine (the index lives in the engine's database), before any shim can connect.
  const bound: { secrets?: Secrets } = {};
  const keychain = createKeytarStore();
  const secretEnv = (server: string) => (bound.secrets ? bound.secrets.envFor(server) : Promise.reject(new Error('secrets not ready')));
  try {
    engine = createEngine({ dataDir, defaultPolicyFile: defaultPolicyFile(), progressIntervalMs: progressMs, gateIntervalMs: Number(io.env.MCP_FIREWALL_GATE_MS ?? 30_000), secretEnv, secretStore: keychain, ...(stringFlag(parsed, 'policy') ? { policyFile: stringFlag(parsed, 'policy')! } : {}) });
  } catch (error) {
    if (error instanceof PolicyLoadError) {
      io.stderr(`MCP Firewall cannot start: the policy has errors.\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  bound.secrets = createSecrets({ store: keychain, index: createSecretIndex(engine.db), audit: engine.audit });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(engine.paths.tokenFile, `${token}\n`, { mode: 0o600 });
  const shims = await startShimServer(engine, engine.paths.socket);
  let api;
  try {
    api = await startControlApi(engine, { port, token });
  } catch (error) {
    await shims.close();
    engine.close();
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(code === 'EADDRINUSE' ? `Port ${port} is in use; choose another with --port.\n` : `Cannot start the control API: ${(error as Error).message}\n`);
    return 1;
  }
  const clientWatch = startClientWatch(engine, defaultClientsDeps(), (row) => io.stderr(`SHADOW SERVER: unprotected entry '${row.name}' appeared in ${row.file} (${row.client})\n`), Number(io.env.MCP_FIREWALL_CONFIG_POLL_MS ?? 2_000));
  engine.onGatePage((gate) => io.stderr(`PAGE ${gate.owner}: ${gate.name} — ${gate.detail} (pages when ${gate.pageCondition})\n`));
  // Signal handlers go in before control.json appears: whoever waits for that file may
  // stop us at once, and a default SIGTERM would skip the clean-up below.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      rmSync(engine.paths.controlFile, { force: true });
      clientWatch.stop();
      await api.close();
      await shims.close();
      engine.close();
      rmSync(engine.paths.socket, { force: true });
      io.stderr('MCP Firewall engine stopped.\n');
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  writeFileSync(engine.paths.controlFile, JSON.stringify({ port: api.port, socket: engine.paths.socket, pid: process.pid, startedAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
  io.stderr(
    `MCP Firewall engine running (pid ${process.pid})\n` +
      `  data dir    ${dataDir}\n  policy      ${engine.policy.file}\n  control API http://127.0.0.1:${api.port}/api\n  shim socket ${engine.paths.socket}\n`,
  );
  return stopped;
};

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
