import type { AuditEntry } from './audit-log.js';

/**
 * Refusals anyone on this machine can cause without a token (an initialize to `/mcp/NAME`
 * for a name nobody approved) are audited one by one up to `perWindow` a minute; past that a
 * flood would grow the append-only trail by gigabytes an hour, so the rest of the minute is
 * counted and written as one row per rule when it ends — a DENY too, so the registry gate still pages.
 */
export interface RefusalLimiter {
  record(entry: AuditEntry): void;
  close(): void;
}

/** The row that stands for a minute's refusals past the limit (`sample`: the first of them). */
export type RefusalSummary = (skipped: number, sample: AuditEntry) => string;

const UNAPPROVED: RefusalSummary = (skipped, sample) =>
  `${skipped} more requests for remote servers nobody approved were refused in the last minute (not recorded one by one; the first was for '${sample.serverName}')`;

/**
 * `oneServer`: every row is of one server (a session's, say), and the summary names it too;
 * else the summary names none, as the refusals it counts may be of many.
 */
export function createRefusalLimiter(write: (entry: AuditEntry) => void, perWindow = 30, windowMs = 60_000, summary: RefusalSummary = UNAPPROVED, oneServer = false): RefusalLimiter {
  let written = 0;
  // One summary per rule (a handful of values), each with its own count and first refusal:
  // one summary for all took the first skipped refusal's rule, so shadow-server refusals
  // skipped after a registered server's 'registry-no-url' ones left no row the gate reads.
  const skipped = new Map<string | null | undefined, { count: number; sample: AuditEntry }>();
  let window: NodeJS.Timeout | null = null;
  const endWindow = () => {
    window = null;
    for (const { count, sample } of skipped.values()) write({ ...sample, serverName: oneServer ? sample.serverName : null, reason: summary(count, sample) });
    written = 0;
    skipped.clear();
  };
  return {
    record(entry) {
      if (!window) {
        window = setTimeout(endWindow, windowMs);
        window.unref();
      }
      if (written < perWindow) {
        written++;
        write(entry);
        return;
      }
      const seen = skipped.get(entry.ruleId);
      if (seen) seen.count++;
      else skipped.set(entry.ruleId, { count: 1, sample: entry });
    },
    close() {
      if (window) {
        clearTimeout(window);
        endWindow();
      }
    },
  };
}
