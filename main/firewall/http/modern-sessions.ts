import type { ServerResponse } from 'node:http';
import type { ModernSession } from './modern-session.js';
import type { SessionCap } from './session-cap.js';
import { createSessionTable } from './session-table.js';

/** Longer client names are cut: two clients whose names agree that far share a relay. */
const MAX_NAME_CHARS = 256;

/**
 * The relays of stateless (2026-07-28) clients, one per route and client name
 * (modern-session.ts says why), at most `cap.max` to one server as for sessions
 * (session-cap.ts): a client that names itself anew on every POST would otherwise start a
 * relay, with its engine socket, per request. Each ends after the interposer's idle time.
 */
export interface ModernSessions {
  /** The live relay of `client` to `server`, if there is one. */
  find(server: string, client: string): ModernSession | undefined;
  /** A new relay for `client` to `server`, started by `start`; null when `res` was answered 503 (the cap). */
  open(res: ServerResponse, server: string, client: string, start: (onEnd: (ended: ModernSession) => void) => ModernSession): ModernSession | null;
  all(): ModernSession[];
}

export function createModernSessions(cap: SessionCap): ModernSessions {
  const table = createSessionTable<ModernSession>(cap);
  const byKey = new Map<string, ModernSession>();
  const keyOf = (server: string, client: string) => `${server}\n${client.slice(0, MAX_NAME_CHARS)}`;
  return {
    find(server, client) {
      const session = byKey.get(keyOf(server, client));
      return session && !session.retired ? session : undefined;
    },
    open(res, server, client, start) {
      const key = keyOf(server, client);
      const session = table.open(res, server, (onEnd) =>
        start((ended) => {
          if (byKey.get(key) === ended) byKey.delete(key);
          onEnd(ended);
        }),
      );
      if (session) byKey.set(key, session);
      return session;
    },
    all: () => table.all(),
  };
}
