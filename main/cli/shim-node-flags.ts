// A shim is one small process per MCP server, a dozen or more on a developer's laptop. Node
// sizes every process for a big server: a young generation of up to 16 MB, and a malloc arena
// for each of its helper threads (GC, compilation). A 1 MB young generation and one arena take
// the shim's private memory from ~16 to ~13.5 MB with no measurable cost (docs/benchmarks.md;
// `--single-threaded` would save ~1 MB more, but moves compilation onto the main thread and
// costs ~0.3 ms at p99 in a session's first thousands of calls). V8 reads flags, and glibc its
// arena limit, only at start, and the client config's launch line stays `node cli.js wrap …`,
// so the shim restarts itself once, before it has read a byte: process.execve keeps the pid,
// stdio, cwd and environment.
import { accessSync, constants } from 'node:fs';

export const SHIM_NODE_FLAGS = ['--max-semi-space-size=1'];

/** Read by glibc at start; what the restart adds is taken out again before the server is spawned. */
export const SHIM_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

interface NodeProcess {
  versions: NodeJS.ProcessVersions;
  execPath: string;
  execArgv: string[];
  argv: string[];
  env: NodeJS.ProcessEnv;
  execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/**
 * The launch line that restarts this process with SHIM_NODE_FLAGS, or null when it already
 * has them or cannot restart itself (process.execve: Node ≥ 22.15, not on Windows; not Electron).
 */
export function shimRelaunchLine(proc: NodeProcess): string[] | null {
  if (typeof proc.execve !== 'function') return null;
  // The desktop app runs shims on Electron's binary as node. Whether that binary takes these
  // flags is untested (there is no Electron binary where we build), and a refusal would stop
  // every protected server, so shims there run untuned.
  if (proc.versions.electron) return null;
  if (SHIM_NODE_FLAGS.every((flag) => proc.execArgv.includes(flag))) return null;
  // Someone debugging the shim: a restart would give the inspector a new URL, or stop at
  // --inspect-brk twice.
  if (proc.execArgv.some((flag) => /^--(?:inspect|debug)/.test(flag))) return null;
  const kept = proc.execArgv.filter((flag) => !SHIM_NODE_FLAGS.includes(flag));
  return [proc.execPath, ...kept, ...SHIM_NODE_FLAGS, ...proc.argv.slice(1)];
}

/**
 * Set for the restarted shim only, to the SHIM_ENV names the restart added (the client's own
 * values are kept), and taken out of its environment with them before anything reads it.
 */
const RELAUNCHED = 'MCP_FIREWALL_SHIM_RELAUNCHED';

/** Restarts the shim with SHIM_NODE_FLAGS and SHIM_ENV; returns only when it runs on as it is. */
export function relaunchWithShimFlags(proc: NodeProcess = process, canExecute = isExecutable): void {
  // Once, whatever execArgv says (a Node that dropped a flag from it must not restart forever);
  // the server the shim spawns gets the client's environment as it was.
  const marker = proc.env[RELAUNCHED];
  if (marker !== undefined) {
    for (const name of marker.split(',')) if (Object.hasOwn(SHIM_ENV, name)) delete proc.env[name];
    delete proc.env[RELAUNCHED];
    return;
  }
  const line = shimRelaunchLine(proc);
  // Node 22 aborts the process when execve(2) fails, so a node binary that was removed or
  // upgraded away under a running client is checked for first: the shim then works untuned.
  // What the check cannot see (ETXTBSY mid-upgrade, ENOMEM, E2BIG at the very limit) still
  // ends the shim before it relays anything: the client sees the server fail to start.
  if (!line || !canExecute(line[0]!)) return;
  const added = Object.keys(SHIM_ENV).filter((name) => proc.env[name] === undefined);
  const env: NodeJS.ProcessEnv = { ...proc.env, [RELAUNCHED]: added.join(',') };
  for (const name of added) env[name] = SHIM_ENV[name];
  proc.execve!(line[0]!, line, env);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
