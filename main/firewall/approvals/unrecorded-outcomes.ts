import type { DatabaseSync } from 'node:sqlite';
import { nowIso } from '../store/database.js';

/**
 * Approvals whose outcome the store refused to write (a full disk, a write lock another
 * process held past busy_timeout). The call was denied and left the queue, but its row still
 * read 'pending': to anyone reading the approvals table (audit query, an export) a call
 * waiting for an answer that can no longer be given. Each is marked 'failed' once the store
 * takes writes again: tried after the queue's next write that succeeds and when it closes,
 * not on a timer, because under a write lock every try holds the engine's one thread for
 * busy_timeout. One still unmarked when the engine stops is swept to 'cancelled' at the next
 * start, as every row an engine left pending is (approval-queue.ts).
 */
export interface UnrecordedOutcomes {
  add(id: string): void;
  /** Marks what the store now takes; the rest wait for the next try. */
  retry(): void;
}

export function createUnrecordedOutcomes(db: DatabaseSync): UnrecordedOutcomes {
  const decidedAt = new Map<string, string>();
  // Only over 'pending': 'failed' never replaces an outcome that did get written.
  const markFailed = db.prepare("UPDATE approvals SET status = 'failed', scope = NULL, decided_at = ? WHERE id = ? AND status = 'pending'");
  return {
    add(id) {
      decidedAt.set(id, nowIso());
    },
    retry() {
      for (const [id, at] of decidedAt) {
        try {
          markFailed.run(at, id);
        } catch {
          return; // the store still refuses: one try per retry, not one busy_timeout per row
        }
        decidedAt.delete(id);
      }
    },
  };
}
