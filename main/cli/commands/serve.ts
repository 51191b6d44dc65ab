import { connect } from 'node:net';
import { defaultClientsDeps } from '../../firewall/api/default-clients-deps.js';
import { startFirewallHost, type FirewallHost } from '../../firewall/host.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { PolicyLoadError } from '../../firewall/policy/load.js';
import { defaultPolicyFile } from '../app-root.js';
import { expectOnly, parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { readControlInfo } from '../control-client.js';

/** 7337 ("LEET") is easy to remember and clear of the usual dev-server ports. */
export const DEFAULT_PORT = 7337;

export const serveUsage = 'mcp-firewall serve [--port N] [--policy FILE]';

export const serveCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args);
  expectOnly(parsed, ['port', 'policy'], 0, serveUsage);
  const portText = stringFlag(parsed, 'port');
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (portText?.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got '${portText}'`);
  const dataDir = resolveDataDir(io.env);

  // The socket is where this data dir's engine listens whatever control.json says: a damaged
  // control.json must not let a second engine take the socket and token from a running one.
  const running = readControlInfo(io.env);
  const socket = dataPaths(dataDir).socket;
  if (await socketAnswers(socket)) {
    io.stderr(running
      ? `MCP Firewall is already running for ${dataDir} (pid ${running.info.pid}, port ${running.info.port}).\n`
      : `MCP Firewall is already running for ${dataDir} (its socket ${socket} answers), but its control.json is missing or damaged: stop that engine, then start again.\n`);
    return 1;
  }

  let host: FirewallHost;
  let resolveStop: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStop = resolve));
  try {
    host = await startFirewallHost({
      dataDir,
      defaultPolicyFile: defaultPolicyFile(),
      ...(stringFlag(parsed, 'policy') ? { policyFile: stringFlag(parsed, 'policy')! } : {}),
      port,
      clients: defaultClientsDeps(),
      progressIntervalMs: Number(io.env.MCP_FIREWALL_PROGRESS_MS ?? 5000),
      gateIntervalMs: Number(io.env.MCP_FIREWALL_GATE_MS ?? 30_000),
      configPollMs: Number(io.env.MCP_FIREWALL_CONFIG_POLL_MS ?? 2_000),
      onShadowEntry: (row) => io.stderr(`SHADOW SERVER: unprotected entry '${row.name}' appeared in ${row.file} (${row.client})\n`),
      onNotice: (message) => io.stderr(`NOTICE: ${message}\n`),
      // Signal handlers go in before control.json appears: whoever waits for that file may
      // stop us at once, and a default SIGTERM would skip the clean-up.
      beforeAnnounce: () => {
        const stop = () => resolveStop(0);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    });
  } catch (error) {
    if (error instanceof PolicyLoadError) {
      io.stderr(`MCP Firewall cannot start: the policy has errors.\n${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      io.stderr(`Port ${port} is in use; choose another with --port.\n`);
      return 1;
    }
    throw error;
  }
  const { engine } = host;
  engine.onGatePage((gate) => io.stderr(`PAGE ${gate.owner}: ${gate.name} — ${gate.detail} (pages when ${gate.pageCondition})\n`));
  io.stderr(
    `MCP Firewall engine running (pid ${process.pid})\n` +
      `  data dir    ${dataDir}\n  policy      ${engine.policy.file}\n  control API http://127.0.0.1:${host.port}/api\n  shim socket ${engine.paths.socket}\n`,
  );
  for (const entry of host.staleRoutes.entries) {
    io.stderr(entry.route
      ? `  re-pointed  ${entry.client} ${entry.name} (${entry.file}): ${entry.route.from} -> ${entry.route.to}\n`
      : `  stale route ${entry.client} ${entry.name} (${entry.file}) left as is: ${entry.detail ?? entry.outcome}\n`);
  }
  for (const error of host.staleRoutes.errors) io.stderr(`  stale route in ${error.file} not moved: ${error.message}\n`);
  const code = await stopped;
  await host.close();
  io.stderr('MCP Firewall engine stopped.\n');
  return code;
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
