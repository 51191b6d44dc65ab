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
  /**
   * How long to wait before the next attempt, after an attempt or a stream ended now.
   * `serverAskedMs`: the wait the server asked for (Retry-After, SSE `retry:`), taken when
   * longer than ours, up to MAX_SERVER_WAIT_MS; never shorter than ours, so a server asking
   * for 0 cannot have every session ask again at once.
   */
  next(serverAskedMs?: number): number;
}

const DEFAULTS = { initialMs: 1_000, maxMs: 60_000, stableMs: 60_000 };

/**
 * The longest wait a server may ask for: a Retry-After of a day must not leave a session
 * without its stream (or its requests: retry-window.ts) for a day.
 */
export const MAX_SERVER_WAIT_MS = 60_000;

export function createReopenBackoff(options: ReopenBackoffOptions = {}, now: () => number = Date.now): ReopenBackoff {
  const { initialMs, maxMs, stableMs } = { ...DEFAULTS, ...options };
  let wait = initialMs;
  let openedAt: number | null = null;
  return {
    opened: () => void (openedAt = now()),
    next(serverAskedMs) {
      if (openedAt !== null && now() - openedAt >= stableMs) wait = initialMs;
      openedAt = null;
      const current = wait;
      wait = Math.min(wait * 2, maxMs);
      return serverAskedMs === undefined ? current : Math.max(current, Math.min(serverAskedMs, MAX_SERVER_WAIT_MS));
    },
  };
}

/**
 * A Retry-After header (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds or an
 * HTTP date. Undefined when there is none or it cannot be read (the backoff alone decides).
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = text ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait a 429 (too many requests) or 503 (unavailable) asks for with its Retry-After, in ms; undefined for any other answer. */
export function askedWaitMs(response: Response): number | undefined {
  return response.status === 429 || response.status === 503 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
}
