// MCP 2026-07-28 (the "stateless" revision) dropped the initialize handshake: each request
// carries the client's identity in `params._meta` under reserved keys instead. The shim
// reads that envelope to know the session is up, who the client is, and what to attach to
// the firewall's own requests so that the server answers them as it answers the client.

export const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
export const CLIENT_CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
/** The first revision without initialize; revisions are dates, so later ones sort after it. */
export const FIRST_STATELESS_REVISION = '2026-07-28';

/** The reserved envelope keys the firewall's own requests carry, as the client last sent them. */
const MIRRORED_KEYS = [PROTOCOL_VERSION_KEY, CLIENT_INFO_KEY, CLIENT_CAPABILITIES_KEY] as const;

export interface SessionEra {
  /** The client sent `initialize`: a 2025-era session, whose own requests carry no envelope. */
  initialized(): void;
  /**
   * Reads a client request's envelope. True while the session is not yet ready and this
   * request carries a 2026-07-28 (or later) protocolVersion: the caller takes the client's
   * name from it and, unless it is only a server/discover probe, calls the session ready.
   */
  observe(params: unknown): boolean;
  /** The session counts as ready (the first enveloped request that uses it arrived). */
  ready(): void;
  /** A 2026-07-28 session: started by an enveloped request, no initialize seen. */
  stateless(): boolean;
  /** clientInfo.name from the envelope last read, if it is a string. */
  clientName(): string | undefined;
  /**
   * The `_meta` the firewall's own requests carry: the reserved keys of the client's latest
   * enveloped request, or undefined (no envelope seen, or a 2025-era session). A server may
   * answer by who asks (clientInfo) and what it can do (clientCapabilities): mirrored, these
   * give it no such reason to show the firewall's look another list than the client's. They
   * do not make the look indistinguishable (its ids are `mcp-firewall/N`, the client's other
   * `_meta` keys are absent), so a server that wants to can still tell it apart: what holds
   * regardless is that the client's own lists are reviewed against the pins too (manifest-filter.ts).
   */
  envelope(): Record<string, unknown> | undefined;
}

export function createSessionEra(): SessionEra {
  let legacy = false;
  let ready = false;
  // The latest request `_meta` that carried a protocolVersion: only a reference is kept per
  // request; the keys are copied when the firewall sends a request of its own.
  let latest: Record<string, unknown> | undefined;
  return {
    initialized() {
      legacy = true;
      latest = undefined;
    },
    observe(params) {
      if (legacy) return false;
      const meta = (params as { _meta?: unknown } | null | undefined)?._meta;
      if (meta === null || typeof meta !== 'object') return false;
      const version = (meta as Record<string, unknown>)[PROTOCOL_VERSION_KEY];
      if (typeof version !== 'string') return false;
      latest = meta as Record<string, unknown>;
      return !ready && version >= FIRST_STATELESS_REVISION;
    },
    ready() {
      ready = true;
    },
    stateless: () => ready && !legacy,
    clientName() {
      const name = (latest?.[CLIENT_INFO_KEY] as { name?: unknown } | null | undefined)?.name;
      return typeof name === 'string' ? name : undefined;
    },
    envelope() {
      if (!latest) return undefined;
      const meta: Record<string, unknown> = {};
      for (const key of MIRRORED_KEYS) if (latest[key] !== undefined) meta[key] = latest[key];
      return meta;
    },
  };
}
