import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';

// The audit spool. A shim writes each decision row to its session's spool file with one
// synchronous append before the answer leaves — in the OS's hands, so it survives the
// shim or the engine dying, as a WAL commit at synchronous=NORMAL would — and the engine
// folds the files into the hash-chained table on a short timer. This takes the engine
// process off the per-call path (a round trip to it cost more than the rest of the shim).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spool_sessions (
  session_id TEXT PRIMARY KEY,
  server_name TEXT NOT NULL,
  client TEXT,
  file TEXT NOT NULL,
  read_offset INTEGER NOT NULL,
  closed INTEGER NOT NULL
);
`;

interface SessionRow {
  session_id: string;
  server_name: string;
  client: string | null;
  file: string;
  read_offset: number;
  closed: number;
}

export interface Spool {
  /** A spool file for a newly admitted session; rows in it are attributed to this server. */
  open(sessionId: string, server: string, client: string): string;
  /**
   * A shim says hello again for a session an engine before this one left behind: its file is
   * no longer an orphan, and the grace timer must not retire it while the welcome is still on
   * its way (it can wait on the keychain for longer than the grace). Called before that wait.
   */
  resume(sessionId: string): void;
  /**
   * A row the engine could not write to the table itself (another process held the write lock
   * past busy_timeout): appended to the session's file, to be folded in with the shim's rows
   * once the table takes writes again, and by the next start if the engine dies first. Throws
   * if the session has no spool file or the file cannot be written.
   */
  append(sessionId: string, entry: AuditEntry): void;
  /** Folds every new complete line into the audit now. */
  ingest(): void;
  /** The session ended: fold what is left and retire its file. */
  finish(sessionId: string): void;
  close(): void;
}

const READ_CHUNK = 1 << 20;

// The timer folds in slices of `sliceBytes` (16 KB: ~40 rows, ~0.25 ms of CPU) with a
// short sleep between them. One 100 ms tick of a busy session is ~800 rows, ~5 ms in one
// burst; on a 2-core machine the client, shim and server woken during such a burst waited
// for it, and that wait was the firewall's p99 (+1.1 ms over the relay; +0.4 ms with the
// fold off). Short bursts leave the core to them. A backlog past `catchUpBytes` is folded
// in one go, so a load the slices cannot keep up with does not leave the table behind.
export interface FoldPacing {
  sliceBytes: number;
  sliceGapMs: number;
  catchUpBytes: number;
}

const PACING: FoldPacing = { sliceBytes: 16 * 1024, sliceGapMs: 1, catchUpBytes: 4 << 20 };

/** How long the sessions of an engine that stopped wait for their shims to resume them (see below). */
const ORPHAN_GRACE_MS = 30_000;

export function createSpool(db: DatabaseSync, audit: AuditLog, dir: string, intervalMs: number, pacing: FoldPacing = PACING, orphanGraceMs = ORPHAN_GRACE_MS): Spool {
  const { sliceBytes, sliceGapMs, catchUpBytes } = pacing;
  db.exec(SCHEMA);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const allSessions = db.prepare('SELECT * FROM spool_sessions');
  const sessions = () => allSessions.all() as unknown as SessionRow[];
  const moveOffset = db.prepare('UPDATE spool_sessions SET read_offset = ? WHERE session_id = ?');

  /** Folds the session's complete lines, about `budget` bytes of them; true if more are left. */
  function ingestSession(row: SessionRow, budget = Infinity): boolean {
    let fd: number;
    try {
      fd = openSync(row.file, 'r');
    } catch (error) {
      // No file: nothing was ever written. Any other failure (EMFILE, EACCES) must not
      // count as "folded": the caller would retire the file and its rows with it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      let offset = Number(row.read_offset);
      // One chunk of `budget` bytes (whole rows of it), unless the backlog calls for catching up.
      const oneChunk = budget < Infinity && fstatSync(fd).size - offset <= catchUpBytes;
      const chunkSize = oneChunk ? budget : READ_CHUNK;
      let chunk = chunkSize;
      for (;;) {
        const size = fstatSync(fd).size;
        if (size <= offset) return false;
        const buffer = Buffer.alloc(Math.min(size - offset, chunk));
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        const lastNewline = buffer.subarray(0, read).lastIndexOf(0x0a);
        if (lastNewline === -1) {
          if (read === size - offset) return false; // a line still being written
          chunk = size - offset; // one row longer than a chunk: read it whole
          continue;
        }
        chunk = chunkSize;
        const entries: AuditEntry[] = [];
        for (const line of buffer.subarray(0, lastNewline).toString('utf8').split('\n')) {
          if (!line) continue;
          try {
            // The shim writes for the server and session the engine admitted, nothing else.
            entries.push({ ...(JSON.parse(line) as AuditEntry), serverName: row.server_name, sessionId: row.session_id });
          } catch {
            entries.push({ event: 'protocol', decision: 'ERROR', serverName: row.server_name, sessionId: row.session_id, reason: 'unreadable line in the audit spool' });
          }
        }
        offset += lastNewline + 1;
        const next = offset;
        audit.appendBatch(entries, () => moveOffset.run(next, row.session_id));
        if (oneChunk) return offset < size;
      }
    } finally {
      closeSync(fd);
    }
  }

  const retire = (row: SessionRow) => {
    rmSync(row.file, { force: true });
    db.prepare('DELETE FROM spool_sessions WHERE session_id = ?').run(row.session_id);
  };

  // Sessions of an engine that stopped or crashed are folded now but not retired: their shims
  // may still run (engine-link.ts tries the socket every second) and go on writing to the same
  // file until they are welcomed back — results of calls that were running, protocol errors —
  // and a file removed now took those rows with it. A session resumed (open() again) goes on in
  // its file from where the fold stopped; one whose shim has not come back within the grace
  // is folded a last time and retired. `closed` marks them.
  // A database that cannot be written now (a full or locked disk) must not keep the engine from
  // starting: a session left unmarked is not retired by the timer below, its file and rows wait
  // for the next start (or its shim resuming it).
  const markOrphan = db.prepare('UPDATE spool_sessions SET closed = 1 WHERE session_id = ?');
  let leftBehind: SessionRow[] = [];
  try {
    leftBehind = sessions();
  } catch {
    // the database itself: the next start tries again
  }
  for (const row of leftBehind) {
    try {
      ingestSession(row);
    } catch {
      // not folded: the timer tries again
    }
    try {
      markOrphan.run(row.session_id);
    } catch {
      // not marked: kept, not retired, until the next start
    }
  }
  const retireOrphans = () => {
    let rows: SessionRow[];
    try {
      rows = sessions();
    } catch {
      return; // the database itself: the next start tries again
    }
    for (const row of rows) {
      if (!row.closed) continue;
      try {
        ingestSession(row);
        retire(row);
      } catch {
        // not folded: the file and its session row stay for the next start
      }
    }
  };
  const orphanTimer = setTimeout(retireOrphans, orphanGraceMs);
  orphanTimer.unref();

  /**
   * Folds each session, one failure not stopping the others: a spool file that cannot be
   * read (EACCES, EMFILE) must not keep every other session's rows out of the table, where
   * the gates look for them. Its rows wait in the file; the first failure is returned.
   */
  const foldEach = (budget: number): { more: boolean; failure?: unknown } => {
    let more = false;
    let failure: unknown;
    let rows: SessionRow[];
    try {
      rows = sessions();
    } catch (error) {
      return { more, failure: error }; // the database itself: nothing to fold until it answers
    }
    for (const row of rows) {
      try {
        more = ingestSession(row, budget) || more;
      } catch (error) {
        failure ??= error;
      }
    }
    return failure === undefined ? { more } : { more, failure };
  };
  const ingest = () => {
    const { failure } = foldEach(Infinity);
    if (failure !== undefined) throw failure;
  };
  // A failed fold (database busy or gone) is retried next tick: the rows wait in the files.
  let sliceTimer: NodeJS.Timeout | null = null;
  const foldSlice = () => {
    sliceTimer = null;
    // A session that failed is tried again with the next slice or tick; the rest go on.
    if (foldEach(sliceBytes).more) {
      sliceTimer = setTimeout(foldSlice, sliceGapMs);
      sliceTimer.unref();
    }
  };
  const timer = setInterval(() => {
    if (sliceTimer === null) foldSlice();
  }, intervalMs);
  timer.unref();

  return {
    open(sessionId, server, client) {
      const file = join(dir, `${sessionId}.ndjson`);
      const fd = openSync(file, 'a', 0o600);
      let size: number;
      try {
        size = fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
      // A session resumed after an engine restart goes on in its file from where the fold
      // stopped: what it wrote while it was away is folded, what was folded is not again.
      const known = db.prepare('SELECT * FROM spool_sessions WHERE session_id = ?').get(sessionId) as SessionRow | undefined;
      const offset = known && known.file === file && Number(known.read_offset) <= size ? Number(known.read_offset) : 0;
      db.prepare('INSERT OR REPLACE INTO spool_sessions (session_id, server_name, client, file, read_offset, closed) VALUES (?, ?, ?, ?, ?, 0)').run(sessionId, server, client, file, offset);
      return file;
    },
    resume(sessionId) {
      db.prepare('UPDATE spool_sessions SET closed = 0 WHERE session_id = ?').run(sessionId);
    },
    append(sessionId, entry) {
      // A read: WAL serves it while another connection holds the write lock.
      const row = db.prepare('SELECT file FROM spool_sessions WHERE session_id = ?').get(sessionId) as { file: string } | undefined;
      if (!row) throw new Error(`session ${sessionId} has no audit spool`);
      // One write in append mode, as the shim's own: the OS puts each at the file's end whole,
      // so the engine's line and the shim's do not interleave.
      appendFileSync(row.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
    ingest,
    finish(sessionId) {
      const row = db.prepare('SELECT * FROM spool_sessions WHERE session_id = ?').get(sessionId) as SessionRow | undefined;
      if (!row) return;
      // A file that could not be folded stays, with its session row: the timer and the next
      // start fold it then. Only a fully folded file is retired.
      ingestSession(row);
      retire(row);
    },
    close() {
      clearInterval(timer);
      clearTimeout(orphanTimer);
      if (sliceTimer) clearTimeout(sliceTimer);
      ingest();
    },
  };
}
