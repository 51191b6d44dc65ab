import type { ClientSession } from './client-session.js';

/**
 * Sessions open at once to one remote server, per client transport. Each holds an
 * in-process shim, an engine socket and upstream connections, and only the idle reaper
 * (30 min) ended them: a client starting a session per request would run the engine out
 * of files.
 */
const MAX_SESSIONS_PER_SERVER = 64;

/**
 * How long a session must have been idle before it may be ended to make room. A client
 * that sends no GET stream is idle between two of its requests; ending it there (as the
 * oldest-idle rule did, a moment after its last answer) broke a client in active use,
 * whose next request got 404. A new session is refused (503) instead: only the one asking
 * is turned away, and it is told why.
 */
const EVICT_AFTER_IDLE_MS = 5 * 60_000;

export interface SessionCap {
  max: number;
  evictAfterIdleMs: number;
}

export const DEFAULT_SESSION_CAP: SessionCap = { max: MAX_SESSIONS_PER_SERVER, evictAfterIdleMs: EVICT_AFTER_IDLE_MS };

/**
 * Whether another session may join `open` (the sessions to one server), beside `windingDown`
 * more that their clients ended but whose relays are still stopping. Past the cap the
 * session idle longest, if idle for at least `evictAfterIdleMs`, is ended to make room;
 * none with work in flight, a stream open, or a request a moment ago is ever picked.
 */
export function makeRoom(open: readonly ClientSession[], cap: SessionCap, windingDown = 0, now = Date.now()): boolean {
  if (open.length + windingDown < cap.max) return true;
  let oldest: { session: ClientSession; since: number } | null = null;
  for (const session of open) {
    const since = session.idleSince();
    if (since === null || now - since < cap.evictAfterIdleMs) continue;
    if (oldest === null || since < oldest.since) oldest = { session, since };
  }
  oldest?.session.end();
  return oldest !== null;
}

/** Why a new session was refused: what the 503 says. */
/**
 * Sessions gone for their clients whose relays are still winding down, by server. They
 * keep their place until then: a session freed its place the moment its client ended it,
 * so a client starting and ending sessions in a loop had any number winding down at once,
 * each with its shim and upstream connections, whatever the cap.
 */
export interface WindingDown {
  /** `session` (of `server`) has just ended for its client. */
  add(server: string, session: ClientSession): void;
  count(server: string): number;
}

export function createWindingDown(): WindingDown {
  const byServer = new Map<string, number>();
  return {
    add(server, session) {
      byServer.set(server, (byServer.get(server) ?? 0) + 1);
      void session.finished.then(() => {
        const left = (byServer.get(server) ?? 1) - 1;
        if (left > 0) byServer.set(server, left);
        else byServer.delete(server);
      });
    },
    count: (server) => byServer.get(server) ?? 0,
  };
}

export function sessionCapMessage(server: string, cap: SessionCap): string {
  const minutes = Math.round(cap.evictAfterIdleMs / 60_000);
  const idle = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(cap.evictAfterIdleMs / 1000)} s`;
  return `Service Unavailable: ${cap.max} sessions to '${server}' are open and busy (none idle for ${idle}); end one, or retry later (a client that starts a session per request and never ends them leaks them)`;
}
