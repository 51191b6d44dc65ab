import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { EntryRecord } from './bookkeeping.js';
import { launchOps } from './read-entries.js';
import type { ConfigFileSpec, DiscoveredServer, Launch } from './types.js';
import { rebaseWrapLaunch, wrapPrefix } from './wrap-line.js';

// A wrap line names the node binary and the dist/cli.js that ran protect, by absolute
// path. Version managers (nvm, fnm, volta) delete the old Node on upgrade, and checkouts
// move: the client then fails to start every protected server. protect moves the wrap
// lines it wrote itself to the runtime and cli it runs with now; everything after `wrap`
// (server name, client id, the original launch the registry pins) stays as it was.

/** An absolute path with nothing at it; a bare `node` is PATH's business. */
export const isGonePath = (p: string): boolean => isAbsolute(p) && !existsSync(p);

/** The absolute paths a wrap line launches that are gone. */
export function goneWrapPaths(server: DiscoveredServer): string[] {
  if (!server.wrapped || !server.launch) return [];
  return [...new Set(wrapPrefix(server.launch))].filter(isGonePath);
}

/** Why a wrap line of ours does not start, in the words of the CLI and the dashboard. */
export function staleWrapDetail(gone: string[]): string {
  return `launches ${gone.join(' and ')}, which no longer exists (a Node upgrade, a moved checkout), so its client cannot start it: run mcp-firewall protect to re-point it`;
}

export type WrapRepointDecision =
  | { repoint: true; launch: Launch; record?: EntryRecord; detail: string; from: string; to: string }
  | { repoint: false; detail?: string };

/** The record of this very wrap line, when its edits are still the ones we would make now. */
function recordOfWrap(server: DiscoveredServer, spec: ConfigFileSpec, launch: Launch, record: EntryRecord | undefined): EntryRecord | undefined {
  if (!record || record.kind === 'remote' || JSON.stringify(record.inserted) !== JSON.stringify(server.launch)) return undefined;
  // Same keys as the first protect rewrote: their saved text is still what unprotect puts back.
  const keys = (paths: { path: unknown }[]) => paths.map((p) => JSON.stringify(p.path)).sort().join('\n');
  return keys(record.ops) === keys(launchOps(server, spec, launch)) ? record : undefined;
}

/**
 * Whether protect moves a wrap line to `runtimePath`/`cliPath`; reads, changes nothing.
 * Only a wrap of ours whose runtime or cli is gone moves, and only to paths that exist:
 * two installs side by side, both on disk, never take each other's entries.
 */
export function decideWrapRepoint(
  server: DiscoveredServer, spec: ConfigFileSpec, ours: boolean, record: EntryRecord | undefined, runtimePath: string, cliPath: string,
): WrapRepointDecision {
  const gone = goneWrapPaths(server);
  if (!ours || gone.length === 0) return { repoint: false };
  const launch = rebaseWrapLaunch(server.launch!, runtimePath, cliPath);
  const missing = [runtimePath, cliPath].filter(isGonePath);
  if (missing.length > 0) {
    return { repoint: false, detail: `${staleWrapDetail(gone)}; left as is: this protect's own ${missing.join(' and ')} does not exist either` };
  }
  const rec = recordOfWrap(server, spec, launch, record);
  return {
    repoint: true, launch, ...(rec ? { record: { ...rec, inserted: launch } } : {}),
    detail: `${gone.join(' and ')} no longer exists; now launches ${runtimePath} ${cliPath}`,
    from: wrapPrefix(server.launch!).join(' '), to: `${runtimePath} ${cliPath}`,
  };
}
