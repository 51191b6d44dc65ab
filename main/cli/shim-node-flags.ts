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

const MEMORY_FLAGS = ['--max-semi-space-size=1'];

// V8 optimizes a function with TurboFan after ~3000 calls of it. A shim runs the same few dozen
// functions once or twice per message, so for a session's first ~3000 calls (most sessions'
// whole life) they ran in the baseline tier: in `npm run bench` the p50 fell on code V8 had not
// optimized yet, and the shim spent ~40 % more CPU per sequential call than once it had. At 500
// the hot path is optimized after a few hundred calls; the steady state is the same code. It
// costs ~0.8 MB of RSS (the optimized code, and compiler memory the one arena keeps): with the
// 60 MB target close, it is the first lever if RSS must come down (docs/benchmarks.md).
// (Maglev, the mid tier, is off in Node 22 for wrong-code bugs in its V8, so it is not used.)
const TIERING_FLAG = '--invocation-count-for-turbofan=500';

/**
 * The node flags a shim restarts with under this V8. A V8 flag node does not know stops it at
 * start ("bad option", exit 9) and with it the client's server, so the tiering flag goes only
 * to the V8 majors known to take it (12.4 in Node 22 to 14.x); a newer one runs the shim with
 * V8's own tiering. Loading node:v8 to set it at run time instead costs ~2.3 MB of RSS.
 */
export function shimNodeFlags(v8Version: string): string[] {
  const major = Number.parseInt(v8Version, 10);
  return major >= 12 && major <= 14 ? [...MEMORY_FLAGS, TIERING_FLAG] : MEMORY_FLAGS;
}

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
 * The launch line that restarts this process with shimNodeFlags(), or null when it already
 * has them or cannot restart itself (process.execve: Node ≥ 22.15, not on Windows; not Electron).
 */
export function shimRelaunchLine(proc: NodeProcess): string[] | null {
  if (typeof proc.execve !== 'function') return null;
  // The desktop app runs shims on Electron's binary as node. Whether that binary takes these
  // flags is untested (there is no Electron binary where we build), and a refusal would stop
  // every protected server, so shims there run untuned.
  if (proc.versions.electron) return null;
  const flags = shimNodeFlags(proc.versions.v8);
  if (flags.every((flag) => proc.execArgv.includes(flag))) return null;
  // Someone debugging the shim: a restart would give the inspector a new URL, or stop at
  // --inspect-brk twice.
  if (proc.execArgv.some((flag) => /^--(?:inspect|debug)/.test(flag))) return null;
  const kept = proc.execArgv.filter((flag) => !flags.includes(flag));
  return [proc.execPath, ...kept, ...flags, ...proc.argv.slice(1)];
}

/**
 * Set for the restarted shim only, to the SHIM_ENV names the restart added (the client's own
 * values are kept), and taken out of its environment with them before anything reads it.
 */
const RELAUNCHED = 'MCP_FIREWALL_SHIM_RELAUNCHED';

/** Restarts the shim with shimNodeFlags() and SHIM_ENV; returns only when it runs on as it is. */
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
