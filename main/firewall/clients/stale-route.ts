import type { EntryRecord } from './bookkeeping.js';
import { entryIdentity, urlKeysOf } from './remote-route.js';
import { interposerUrl, routedTarget, routeMismatch } from './route-url.js';
import type { ConfigFileSpec, DiscoveredServer, RemoteRoutes } from './types.js';
import { pinnedRemote } from '../registry/registry.js';

// A routed entry names the port the engine listened on when protect wrote it. When the
// engine later listens elsewhere (the desktop app fell back to a free port, `serve
// --port`), the entry dangles: its traffic, and any header the client sends, goes to
// whatever listens on the old port now. Likewise a route without this install's route key
// (written before routes carried one) is refused by the firewall. protect moves the routes
// it wrote itself to the engine's port and key; anything else that merely looks like a
// route is left alone.

/** An entry whose URL is an interposer route on a port the engine does not listen on, or without its route key. */
export interface StaleRoute {
  /** The port the entry names. */
  port: number;
  /** The route key the entry carries (null: none). */
  key: string | null;
  /** The port the engine listens on. */
  enginePort: number;
  /** The engine's route key. */
  engineKey: string;
  /** The route's NAME (`/mcp/NAME`). */
  name: string;
  /** Whether an engine announced `enginePort`, or it is only the port one would take. */
  engineRunning: boolean;
}

export function staleRouteOf(server: DiscoveredServer, remote: Pick<RemoteRoutes, 'port' | 'key' | 'running'> | undefined): StaleRoute | undefined {
  const target = routedTarget(server.url);
  if (!target || remote === undefined || (target.port === remote.port && target.key === remote.key)) return undefined;
  return { port: target.port, key: target.key, enginePort: remote.port, engineKey: remote.key, name: target.name, engineRunning: remote.running !== false };
}

/**
 * Our bookkeeping's record of this very route: kept for the entry's key path, naming the
 * entry's own NAME, and the entry still exactly what protect wrote (URL and transport).
 */
export function recordOfRoute(server: DiscoveredServer, route: StaleRoute, record: EntryRecord | undefined): EntryRecord | undefined {
  if (record?.kind !== 'remote' || record.name !== server.name || route.name !== server.name) return undefined;
  return JSON.stringify(entryIdentity(server)) === JSON.stringify(record.inserted) ? record : undefined;
}

export type RepointDecision =
  | { repoint: true; record: EntryRecord; inserted: string; keys: string[] }
  | { repoint: false; detail: string };

const where = (route: StaleRoute) => routeMismatch(route, { port: route.enginePort, key: route.engineKey });

/** Why a look-alike route is not ours, in the words of the CLI and the dashboard. */
export function foreignRouteDetail(route: StaleRoute): string {
  return `${where(route)}; protect did not write this URL (nothing in its bookkeeping), so it is left as is: check who did`;
}

export function staleRouteDetail(route: StaleRoute): string {
  const fix = route.engineRunning ? 'run mcp-firewall protect to re-point it' : 'the firewall is not running: start it, then run mcp-firewall protect to re-point it';
  const lost = route.port !== route.enginePort ? ', so its traffic does not reach the firewall' : '';
  return `${where(route)}${lost}: ${fix}`;
}

/** Whether `protect` moves a stale route to the engine's port; reads, changes nothing. */
export function decideRepoint(server: DiscoveredServer, spec: ConfigFileSpec, route: StaleRoute, record: EntryRecord | undefined): RepointDecision {
  const ours = recordOfRoute(server, route, record);
  if (!ours) return { repoint: false, detail: foreignRouteDetail(route) };
  // The keys we rewrote, and only those, still hold our URL: then the saved original
  // text of each is still what unprotect puts back, key for key.
  const keys = urlKeysOf(server, spec);
  const recorded = ours.ops.map((op) => JSON.stringify(op.path)).sort();
  const current = keys.map((k) => JSON.stringify([...server.path, k])).sort();
  if (keys.some((k) => server.raw[k] !== server.url) || JSON.stringify(recorded) !== JSON.stringify(current)) {
    return { repoint: false, detail: `${where(route)}; its URL keys changed since protect wrote them, so it is left as is (unprotect, then protect, routes it again)` };
  }
  // Another port may be another process's now; a key mended on the engine's own port is not.
  if (!route.engineRunning && route.port !== route.enginePort) {
    return { repoint: false, detail: `${where(route)}; the firewall is not running, so it is left as is: start it, then run protect again` };
  }
  const transport = pinnedRemote(ours.inserted)?.transport ?? 'http';
  return { repoint: true, record: ours, inserted: interposerUrl(route.enginePort, server.name, route.engineKey, transport), keys };
}
