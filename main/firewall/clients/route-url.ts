import { LOOPBACK_HOSTS, type RemoteTransport } from '../registry/registry.js';
import { ROUTE_KEY_PARAM } from '../route-key.js';

// A routed remote entry's URL: `http://127.0.0.1:PORT/mcp/NAME?key=KEY` (Streamable HTTP)
// or `…/mcp/NAME/sse?key=KEY` (the legacy HTTP+SSE transport, so the client keeps
// speaking what it spoke). The key is this install's route key (route-key.ts).

/** Longer route names are no server's: the interposer refuses them before any lookup. */
export const MAX_ROUTE_NAME_CHARS = 128;

export function interposerUrl(port: number, name: string, key: string, transport: RemoteTransport = 'http'): string {
  return `http://127.0.0.1:${port}/mcp/${encodeURIComponent(name)}${transport === 'sse' ? '/sse' : ''}?${ROUTE_KEY_PARAM}=${encodeURIComponent(key)}`;
}

/** A URL that points at an interposer route on this machine: its port, server name and route key (null: none). */
export interface RoutedTarget {
  port: number;
  name: string;
  key: string | null;
}

export function routedTarget(url: string | undefined): RoutedTarget | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^\/mcp\/([^/]+)(?:\/sse)?$/.exec(parsed.pathname);
  if (parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname) || !m || !parsed.port) return undefined;
  try {
    return { port: Number(parsed.port), name: decodeURIComponent(m[1]!), key: parsed.searchParams.get(ROUTE_KEY_PARAM) };
  } catch {
    return undefined;
  }
}

/** How a route misses the engine's (another port, or not this install's key), in the words of the CLI. */
export function routeMismatch(target: Pick<RoutedTarget, 'port' | 'key'>, engine: { port: number; key: string }): string {
  if (target.port !== engine.port) return `points at a firewall route on port ${target.port}, not the firewall's port ${engine.port}`;
  return target.key === null
    ? "points at the firewall's route without a route key (written before routes carried one), so the firewall refuses it"
    : "points at the firewall's route with another install's route key, so the firewall refuses it";
}
