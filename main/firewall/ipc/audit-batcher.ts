import type { AuditEntry, AuditLog } from '../audit/audit-log.js';

/**
 * Group commit: rows that arrive from shims in the same turn of the event loop are
 * written in one transaction, and each waiter is told once its row is committed. Under
 * load this turns N transactions into one; alone, a row waits only for setImmediate.
 */
export interface AuditBatcher {
  write(entry: AuditEntry, done?: (error: Error | null) => void): void;
  flush(): void;
}

export function createAuditBatcher(audit: AuditLog): AuditBatcher {
  let entries: AuditEntry[] = [];
  let callbacks: Array<(error: Error | null) => void> = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = entries;
    const waiting = callbacks;
    entries = [];
    callbacks = [];
    let failure: Error | null = null;
    try {
      audit.appendBatch(batch);
    } catch (error) {
      failure = error as Error;
    }
    for (const done of waiting) done(failure);
  };
  return {
    write(entry, done) {
      entries.push(entry);
      if (done) callbacks.push(done);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
