/**
 * When a session's GET stream is opened again after it ended or failed: a network blip, a
 * proxy timing it out or the server closing it must not cost the session every
 * server-initiated message (list changes, sampling, elicitation) for the rest of its life,
 * and a server that is down must not be asked again and again at once.
 */
export interface ReopenBackoffOptions {
  /** The first wait; each failure in a row doubles it. */
  initialMs?: number;
  /** The longest wait: the stream is tried this often for as long as the session lives. */
  maxMs?: number;
  /** A stream that stayed open this long was no failure: the next wait starts over. */
  stableMs?: number;
}

export interface ReopenBackoff {
  /** The stream opened now. */
  opened(): void;
  /** How long to wait before the next attempt, after an attempt or a stream ended now. */
  next(): number;
}

const DEFAULTS = { initialMs: 1_000, maxMs: 60_000, stableMs: 60_000 };

export function createReopenBackoff(options: ReopenBackoffOptions = {}, now: () => number = Date.now): ReopenBackoff {
  const { initialMs, maxMs, stableMs } = { ...DEFAULTS, ...options };
  let wait = initialMs;
  let openedAt: number | null = null;
  return {
    opened: () => void (openedAt = now()),
    next() {
      if (openedAt !== null && now() - openedAt >= stableMs) wait = initialMs;
      openedAt = null;
      const current = wait;
      wait = Math.min(wait * 2, maxMs);
      return current;
    },
  };
}
