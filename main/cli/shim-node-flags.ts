// A shim is one small process per MCP server, a dozen or more on a developer's laptop. Node
// sizes every process for a big server: a young generation of up to 16 MB and helper threads
// for garbage collection and compilation. For a shim that costs ~3 MB of private memory each,
// and on a 2-core machine its helper threads take CPU from the client and server it relays
// for. With these flags the shim holds 12.7 MB private instead of 16 and relays as fast or
// faster (docs/benchmarks.md). V8 reads them only at start, and the client config's launch
// line stays `node cli.js wrap …`, so the shim restarts itself once with them, before it has
// read a byte: process.execve keeps the pid, stdio, cwd and environment.
import { accessSync, constants } from 'node:fs';

export const SHIM_NODE_FLAGS = ['--single-threaded', '--max-semi-space-size=1'];

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
  const kept = proc.execArgv.filter((flag) => !SHIM_NODE_FLAGS.includes(flag));
  return [proc.execPath, ...kept, ...SHIM_NODE_FLAGS, ...proc.argv.slice(1)];
}

/** Set for the restarted shim only, and taken out of its environment before anything reads it. */
const RELAUNCHED = 'MCP_FIREWALL_SHIM_RELAUNCHED';

/** Restarts the shim with SHIM_NODE_FLAGS; returns only when it runs on as it is. */
export function relaunchWithShimFlags(proc: NodeProcess = process, canExecute = isExecutable): void {
  // Once, whatever execArgv says (a Node that dropped a flag from it must not restart forever);
  // the server the shim spawns gets the client's environment as it was.
  if (proc.env[RELAUNCHED] !== undefined) {
    delete proc.env[RELAUNCHED];
    return;
  }
  const line = shimRelaunchLine(proc);
  // Node 22 aborts the process when execve(2) fails, so a node binary that was removed or
  // upgraded away under a running client is checked for first: the shim then works untuned.
  if (!line || !canExecute(line[0]!)) return;
  proc.execve!(line[0]!, line, { ...proc.env, [RELAUNCHED]: '1' });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
