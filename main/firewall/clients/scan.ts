import { realpathSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { DamagedStateError, loadState, type FileState } from './bookkeeping.js';
import { discover, type LoadedFile } from './discover.js';
import { findSecrets, maskValues } from './secrets.js';
import { envFileToWatch, envRunningCode, envRunningCodeDetail } from './shim-env.js';
import { isProjectFile, projectRouteDetail } from './project-route.js';
import { routedTarget } from './route-url.js';
import { serverNameProblem } from './server-name.js';
import { foreignRouteDetail, recordOfRoute, staleRouteDetail, staleRouteOf } from './stale-route.js';
import { goneWrapPaths, isGonePath, staleWrapDetail } from './stale-wrap.js';
import type { ClientsDeps, DiscoveredServer, FileError, Launch, RemoteRoutes, SecretFinding, ServerStatus, Transport } from './types.js';
import { decodeWrapLaunch } from './wrap-line.js';

export interface ScanRow {
  client: string;
  file: string;
  scope: string;
  project?: string;
  name: string;
  transport: Transport;
  status: ServerStatus;
  /** The server's own launch (inside the wrap line when protected); secrets masked. */
  command?: string;
  args?: string[];
  url?: string;
  secrets: SecretFinding[];
  note?: string;
  /**
   * A firewall route on a port the engine does not listen on: its traffic goes to whatever
   * listens there. `ours`: protect wrote it, and `protect` re-points it.
   */
  staleRoute?: { port: number; enginePort: number; ours: boolean };
  /** A wrap line of ours whose runtime or cli is gone: its client cannot start it, and `protect` re-points it. */
  staleWrap?: { missing: string[] };
  /** The envFile a wrap line's env is partly read from (VS Code, Cursor): watch looks at it too. */
  envFile?: string;
}

export interface ScanResult {
  servers: ScanRow[];
  errors: FileError[];
}

export type ScanDeps = Pick<ClientsDeps, 'env' | 'platform' | 'projectDirs' | 'dataDir' | 'runtimePath' | 'cliPath' | 'knownCliPaths' | 'registry'> & { remote?: Pick<RemoteRoutes, 'port' | 'key' | 'running'> };

const states = new WeakMap<LoadedFile, FileState | null>();

function stateOf(dataDir: string, file: LoadedFile): FileState | undefined {
  if (!states.has(file)) states.set(file, loadStateIfWhole(dataDir, file));
  return states.get(file) ?? undefined;
}

// Scan only reads: a damaged record must not blind it (and the config watcher with it);
// protect and unprotect, which would write, report it.
function loadStateIfWhole(dataDir: string, file: LoadedFile): FileState | null {
  try {
    return loadState(dataDir, file.spec.path) ?? null;
  } catch (err) {
    if (err instanceof DamagedStateError) return null;
    throw err;
  }
}

/**
 * "Ours" means our runtime launches our cli (`<runtime> <cli.js> wrap …`, all protect
 * writes), or the line is exactly what we wrote. Merely looking like `… wrap --server x --
 * …` is not enough: an installer could dress a shadow server up that way, and a repo's
 * .mcp.json can name our cli (its path is predictable) behind a program of its own, which
 * then runs with no shim at all.
 */
export function isOurWrap(server: DiscoveredServer, deps: ScanDeps, file: LoadedFile): boolean {
  if (!server.wrapped || !server.launch) return false;
  const decoded = decodeWrapLaunch(server.launch);
  if (decoded && ourClis(deps).includes(decoded.cliPath) && ourRuntime(decoded.runtime, deps)) return true;
  const state = stateOf(deps.dataDir, file);
  const rec = state?.entries.find((e) => JSON.stringify(e.path) === JSON.stringify(server.path));
  return !!rec && JSON.stringify(rec.inserted) === JSON.stringify(server.launch);
}

const ourClis = (deps: ScanDeps) => [deps.cliPath, ...(deps.knownCliPaths ?? [])];

/**
 * A wrap line of our cli, whatever launches it: what unprotect may unwrap with no record.
 * Unwrapping even a disguised one is safe: it takes the foreign program out of the entry.
 */
export function isOurCliWrap(server: DiscoveredServer, deps: ScanDeps): boolean {
  const decoded = server.wrapped && server.launch ? decodeWrapLaunch(server.launch) : null;
  return !!decoded && ourClis(deps).includes(decoded.cliPath);
}

// This install's runtime by another path to it (the README's `command -v node` is often a
// symlink: Homebrew's /opt/homebrew/bin/node, /usr/local/bin/node), or one that is gone (Node
// upgraded away, bookkeeping lost): a path with nothing at it runs nothing, and protect
// re-points it to ours (stale-wrap.ts).
const ourRuntime = (runtime: string | undefined, deps: ScanDeps) =>
  runtime !== undefined && (runtime === deps.runtimePath || sameFile(runtime, deps.runtimePath) || isGonePath(runtime));

function sameFile(a: string, b: string): boolean {
  // A relative runtime resolves against the client's directory, which scan does not know.
  if (!isAbsolute(a)) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** For a wrap line of our cli that another program launches: what runs instead of the shim. */
export function foreignRuntimeDetail(launch: Launch, deps: ScanDeps): string | undefined {
  const decoded = decodeWrapLaunch(launch);
  if (!decoded || !ourClis(deps).includes(decoded.cliPath) || ourRuntime(decoded.runtime, deps)) return undefined;
  const runtime = decoded.runtime ?? decoded.cliPath;
  return `launches this install's cli with ${runtime}, not with ${deps.runtimePath}: ${runtime} runs, the shim may never start`;
}

function recordAt(server: DiscoveredServer, deps: ScanDeps, file: LoadedFile) {
  return stateOf(deps.dataDir, file)?.entries.find((e) => e.kind === 'remote' && JSON.stringify(e.path) === JSON.stringify(server.path));
}

function routedRecord(server: DiscoveredServer, deps: ScanDeps, file: LoadedFile) {
  const rec = recordAt(server, deps, file);
  return rec && server.url !== undefined && rec.inserted.args[0] === server.url ? rec : undefined;
}

/**
 * A remote entry whose URL is an interposer route: on the firewall's own port, or exactly
 * what we wrote (when the caller does not know the port). Either way every request goes
 * through the firewall's registry check, whoever wrote the URL. A route on another port
 * is not protected, even one we wrote: nothing of the firewall's may listen there.
 */
function isOurRoute(server: DiscoveredServer, deps: ScanDeps, file: LoadedFile): boolean {
  const target = routedTarget(server.url);
  if (!target) return false;
  if (deps.remote !== undefined) return target.port === deps.remote.port && target.key === deps.remote.key;
  return routedRecord(server, deps, file) !== undefined;
}

/** Says so on the row of a route to another port, and shows the URL it stood for when we wrote it. */
function markStaleRoute(out: ScanRow, server: DiscoveredServer, deps: ScanDeps, file: LoadedFile, values: string[]): void {
  const stale = staleRouteOf(server, deps.remote);
  if (!stale) return;
  const rec = recordOfRoute(server, stale, recordAt(server, deps, file));
  out.staleRoute = { port: stale.port, enginePort: stale.enginePort, ours: rec !== undefined };
  out.note = rec ? staleRouteDetail(stale) : foreignRouteDetail(stale);
  if (rec) out.url = maskValues(rec.original.args[0]!, values);
}

function row(server: DiscoveredServer, file: LoadedFile, deps: ScanDeps): ScanRow {
  const { findings, values } = findSecrets(server, file.spec);
  const routed = isOurRoute(server, deps, file);
  const ours = routed || isOurWrap(server, deps, file);
  const registryName = routed ? routedTarget(server.url)!.name : ours ? (server.wrappedName ?? server.name) : server.name;
  const injected = ours && !routed ? envRunningCode(server, file.spec) : [];
  // protect leaves such a name as it is (server-name.ts): never reported as protected.
  const badName = serverNameProblem(server);
  const status: ServerStatus = ours && injected.length === 0 && !badName ? 'protected' : deps.registry.isRegistered(registryName) ? 'registered' : 'shadow';
  const launch = ours ? server.wrappedLaunch : server.launch;
  const out: ScanRow = {
    client: server.client,
    file: server.file,
    scope: server.scope,
    ...(server.project !== undefined ? { project: server.project } : {}),
    name: server.name,
    transport: server.transport,
    status,
    secrets: findings,
  };
  if (launch) {
    out.command = maskValues(launch.command, values);
    out.args = launch.args.map((a) => maskValues(a, values));
  }
  // Like a wrap line, a routed entry shows the server it stands for: the URL it had before.
  const url = routed ? (routedRecord(server, deps, file)?.original.args[0] ?? server.url) : server.url;
  if (url !== undefined) out.url = maskValues(url, values);
  const envFile = ours && !routed ? envFileToWatch(server) : undefined;
  if (envFile !== undefined) out.envFile = envFile;
  const gone = ours && server.wrapped ? goneWrapPaths(server) : [];
  if (badName) out.note = `${badName}: protect leaves it as is; rename the entry to protect it`;
  else if (injected.length > 0) out.note = envRunningCodeDetail(injected);
  else if (server.wrapped && !ours) out.note = foreignRuntimeDetail(server.launch!, deps) ?? 'launches a wrap shim from an unknown cli path';
  else if (gone.length > 0) {
    out.staleWrap = { missing: gone };
    out.note = staleWrapDetail(gone);
  } else if (server.problem) out.note = server.problem;
  else if (server.transport === 'other') out.note = 'no command or url (built-in or extension)';
  markStaleRoute(out, server, deps, file, values);
  // Last: protect neither routes nor re-points a remote entry here (project-route.ts).
  if ((server.transport === 'http' || server.transport === 'sse') && isProjectFile(file.spec)) out.note = projectRouteDetail(server, routedTarget(server.url) !== undefined);
  return out;
}

export function scanClients(deps: ScanDeps, opts: { client?: string } = {}): ScanResult {
  const { files, errors } = discover(deps, opts.client);
  const servers = files.flatMap((file) => file.servers.map((s) => row(s, file, deps)));
  return { servers, errors };
}
