import type { AuditEntry } from '../audit/audit-log.js';
import { createRefusalLimiter, type RefusalLimiter } from '../audit/refusal-limiter.js';

/**
 * How often a server's failed OAuth refresh is audited row by row. Each interposer session
 * refreshes for itself, so a dead refresh token failed once per session: a client opening
 * sessions in a loop wrote a row each, for as long as nobody ran `auth login`. One row per
 * server per window says it; the rest of the window is one row with their count.
 */
const REFRESH_FAILURE_WINDOW_MS = 5 * 60_000;

export interface RefreshFailureAudit {
  /** An OAUTH_REFRESH_FAILED row for its server (others are not this' to hold back). */
  record(entry: AuditEntry): void;
  /** Writes the counts still held (the engine is stopping). */
  close(): void;
}

export function createRefreshFailureAudit(write: (entry: AuditEntry) => void, windowMs = REFRESH_FAILURE_WINDOW_MS): RefreshFailureAudit {
  const byServer = new Map<string, RefusalLimiter>();
  const minutes = Math.max(1, Math.round(windowMs / 60_000));
  const limiterFor = (server: string): RefusalLimiter => {
    let limiter = byServer.get(server);
    if (!limiter) {
      // One limiter per server (rows are routed by their serverName): its count row names it.
      limiter = createRefusalLimiter(write, 1, windowMs, (skipped, sample) =>
        `${skipped} more sessions to '${server}' could not refresh its OAuth token in the last ${minutes} minute${minutes === 1 ? '' : 's'} (not recorded one by one); the first said: ${sample.reason ?? ''}`, true);
      byServer.set(server, limiter);
    }
    return limiter;
  };
  return {
    record: (entry) => limiterFor(entry.serverName ?? '').record(entry),
    close() {
      for (const limiter of byServer.values()) limiter.close();
      byServer.clear();
    },
  };
}
