import { createHash, randomBytes } from 'node:crypto';

// The browser sessions of the dashboard, one per login, held in the engine's memory only:
// a restart ends them all, and so do a logout (this browser) and `dashboard logout-all`.
// A cookie copied out of a browser profile therefore dies with its session, never later.

/**
 * From login, not from the last request: the dashboard polls every second, so an idle
 * limit would never end an open tab's session, and a copied cookie kept busy would live
 * on. The cookie's Max-Age says the same, so the browser drops it when the engine does.
 */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;

/** Logins are minted by the bearer token's holder alone; this only keeps memory bounded. */
export const MAX_SESSIONS = 32;

export interface DashboardSessions {
  /** A new session's id, for the cookie; the oldest session ends when there are too many. */
  open(): string;
  isLive(id: string): boolean;
  /** True when `id` was a live session, which it no longer is. */
  end(id: string): boolean;
  /** How many live sessions ended. */
  endAll(): number;
}

// Keyed by the id's SHA-256, never the id: a Map lookup compares strings in time that
// depends on them, and the digest of a guessed id tells a timer nothing about a real one.
const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export function createDashboardSessions(options: { lifetimeMs?: number; max?: number; now?: () => number } = {}): DashboardSessions {
  const { lifetimeMs = SESSION_LIFETIME_MS, max = MAX_SESSIONS, now = Date.now } = options;
  const expiries = new Map<string, number>(); // digest → expiry; insertion order is login order
  const forgetExpired = () => {
    for (const [key, expires] of expiries) if (expires <= now()) expiries.delete(key);
  };
  return {
    open() {
      forgetExpired();
      const id = randomBytes(32).toString('base64url');
      expiries.set(digest(id), now() + lifetimeMs);
      for (const oldest of expiries.keys()) {
        if (expiries.size <= max) break;
        expiries.delete(oldest);
      }
      return id;
    },
    isLive(id) {
      const expires = expiries.get(digest(id));
      return expires !== undefined && expires > now();
    },
    end(id) {
      const key = digest(id);
      const expires = expiries.get(key);
      expiries.delete(key);
      return expires !== undefined && expires > now();
    },
    endAll() {
      forgetExpired();
      const ended = expiries.size;
      expiries.clear();
      return ended;
    },
  };
}
