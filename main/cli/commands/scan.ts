import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../firewall/paths.js';
import { CLIENT_ADAPTERS, scanClients, type ClientsDeps, type ServerRegistry } from '../../firewall/clients/index.js';
import { scanText } from '../../firewall/clients/report-text.js';
import { UsageError, type CliIo, type CommandHandler } from '../command.js';
import { readControlInfo } from '../control-client.js';

/** What the lead (or the desktop app) injects: our runtime, our cli, the registry. */
export interface ClientCommandDeps {
  runtimePath: string;
  cliPath: string;
  registry: ServerRegistry;
  knownCliPaths?: string[];
  registerServer?: ClientsDeps['registerServer'];
  /** Routes remote (Streamable HTTP) entries through the engine's interposer; without it they are left alone. */
  remote?: ClientsDeps['remote'];
  platform?: NodeJS.Platform;
}

export interface ClientArgs {
  json: boolean;
  dryRun: boolean;
  client?: string;
  projects: string[];
}

/** A project whose configs to read, from where the command runs: a typo must not read as "no servers there". */
function projectDir(cwd: string, dir: string): string {
  const path = resolve(cwd, dir);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--project ${dir}: not a directory`);
  return path;
}

export function parseClientArgs(args: string[], allowed: readonly string[]): ClientArgs {
  const out: ClientArgs = { json: false, dryRun: false, projects: [] };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const given = inline ?? args[++i];
      if (!given) throw new UsageError(`${flag} needs a value`);
      return given;
    };
    if (!allowed.includes(flag)) throw new UsageError(`unknown option ${flag}`);
    if ((flag === '--json' || flag === '--dry-run') && inline !== undefined) throw new UsageError(`${flag} takes no value`);
    if (flag === '--json') out.json = true;
    else if (flag === '--dry-run') out.dryRun = true;
    else if (flag === '--project') out.projects.push(value());
    else if (flag === '--client') {
      out.client = value();
      if (!CLIENT_ADAPTERS.some((a) => a.id === out.client)) {
        throw new UsageError(`unknown client ${out.client}; one of: ${CLIENT_ADAPTERS.map((a) => a.id).join(', ')}`);
      }
    }
  }
  return out;
}

export function coreDeps(deps: ClientCommandDeps, io: CliIo, parsed: ClientArgs): ClientsDeps {
  return {
    env: io.env,
    platform: deps.platform ?? process.platform,
    projectDirs: [io.cwd, ...parsed.projects.map((p) => projectDir(io.cwd, p))],
    dataDir: resolveDataDir(io.env, deps.platform ?? process.platform),
    runtimePath: deps.runtimePath,
    cliPath: deps.cliPath,
    registry: deps.registry,
    ...(deps.knownCliPaths ? { knownCliPaths: deps.knownCliPaths } : {}),
    ...(deps.registerServer ? { registerServer: deps.registerServer } : {}),
    // Without a running engine on it the port is a guess: protect routes new entries to it
    // as before, but moves no existing route there (whatever holds it now would get them).
    ...(deps.remote ? { remote: { ...deps.remote, running: deps.remote.running ?? engineListensOn(io.env, deps.remote.port) } } : {}),
  };
}

/**
 * An engine announced `port` (control.json) and its process is still there. An engine that
 * crashed leaves control.json behind, naming a port anyone may hold now: that is no engine;
 * nor is a live one that announced another port.
 */
function engineListensOn(env: NodeJS.ProcessEnv, port: number): boolean {
  const control = readControlInfo(env);
  if (control?.info.port !== port) return false;
  try {
    process.kill(control.info.pid, 0);
    return true;
  } catch {
    // ESRCH (gone), EPERM (another user's process under a reused pid), or no pid at all.
    return false;
  }
}

export const SCAN_USAGE = 'usage: mcp-firewall scan [--json] [--client ID] [--project DIR]…';

export function createScanCommand(deps: ClientCommandDeps | (() => ClientCommandDeps)): CommandHandler {
  return async (args, io) => {
    const parsed = parseClientArgs(args, ['--json', '--client', '--project']);
    const resolved = typeof deps === 'function' ? deps() : deps;
    const result = scanClients(coreDeps(resolved, io, parsed), parsed.client ? { client: parsed.client } : {});
    io.stdout(parsed.json ? JSON.stringify(result, null, 2) + '\n' : scanText(result));
    return result.errors.length > 0 ? 1 : 0;
  };
}

/**
 * Defaults for a plain `node dist/cli.js …` run. The lead should build the handlers with
 * createScanCommand/createProtectCommand to inject the real registry.
 */
export function defaultClientDeps(): ClientCommandDeps {
  const entry = process.argv[1];
  let cliPath = entry ? resolve(entry) : '';
  try {
    cliPath = realpathSync(cliPath);
  } catch {
    // keep as is
  }
  return { runtimePath: process.execPath, cliPath, registry: { isRegistered: () => false } };
}

export const scanCommand: CommandHandler = createScanCommand(defaultClientDeps);
