import { hash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { immediateTransactions, nowIso } from '../store/database.js';

/** What a caller supplies for one audit row; time and the hash chain are added here. */
export interface AuditEntry {
  event: AuditEvent;
  decision: string;
  actorId?: string | null;
  client?: string | null;
  serverName?: string | null;
  toolName?: string | null;
  method?: string | null;
  actionClass?: string | null;
  approvalId?: string | null;
  ruleId?: string | null;
  reason?: string | null;
  sessionId?: string | null;
  requestId?: string | null;
  argsDigest?: string | null;
  latencyMs?: number | null;
  eventTime?: string;
}

/**
 * `call` rows carry the pre-dispatch decision (the seed's SQL reads these); `result`
 * rows the outcome and latency; the rest are registry and protocol events.
 */
export type AuditEvent = 'call' | 'result' | 'registry' | 'server' | 'protocol' | 'approval' | 'policy' | 'manifest' | 'gate' | 'secret';

const COLUMNS = [
  'event_time', 'event', 'actor_id', 'client', 'server_name', 'tool_name', 'method', 'action_class', 'decision',
  'approval_id', 'rule_id', 'reason', 'session_id', 'request_id', 'args_digest', 'latency_ms',
] as const;

export const GENESIS_HASH = '0'.repeat(64);

/**
 * A value as SQLite will give it back. Text is stored as UTF-8, where a lone UTF-16
 * surrogate (a client can send one in a tool name) becomes U+FFFD: hashed as sent, such a
 * row would read as edited forever after, burying real tampering under a false alarm.
 */
// A NUL likewise: SQLite keeps it, but hands the text back cut off at it (and Postgres text
// refuses it outright), so it is stored as U+FFFD too.
// A number that is not finite (±Infinity, NaN) is stored as NULL: the hash is over JSON,
// which writes it as null, so a stored Infinity would verify as NULL and NULL as Infinity.
function asStored(value: string | number | null): string | number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return typeof value === 'string' ? (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\ufffd') : value;
}

type RowValues = Array<string | number | null>;

export function rowHash(prevHash: string, values: RowValues): string {
  // One-shot over the same bytes as the streaming form (prev hash, newline, values): the
  // engine hashes every row it folds from the spool, and this costs a third as much.
  return hash('sha256', `${prevHash}\n${JSON.stringify(values)}`, 'hex');
}

export interface AuditLog {
  append(entry: AuditEntry): { id: number; rowHash: string };
  /**
   * Several rows in one transaction: the engine's group commit for rows arriving together.
   * `alongside` runs in the same transaction (the spool's read offset moves with its rows).
   */
  appendBatch(entries: AuditEntry[], alongside?: () => void): void;
}

export function createAuditLog(db: DatabaseSync): AuditLog {
  const insert: StatementSync = db.prepare(
    `INSERT INTO mcp_audit (${COLUMNS.join(', ')}, prev_hash, row_hash) VALUES (${COLUMNS.map(() => '?').join(', ')}, ?, ?)`,
  );
  const last = db.prepare('SELECT row_hash FROM mcp_audit ORDER BY id DESC LIMIT 1');
  // The chain head is read inside the write transaction, not cached: the CLI may append
  // (registry edits while no engine runs, `protect`) and a stale head would fork the chain.
  const toValues = (entry: AuditEntry): RowValues => [
    entry.eventTime ?? nowIso(), entry.event, entry.actorId ?? null, entry.client ?? null, entry.serverName ?? null,
    entry.toolName ?? null, entry.method ?? null, entry.actionClass ?? null, entry.decision, entry.approvalId ?? null,
    entry.ruleId ?? null, entry.reason ?? null, entry.sessionId ?? null, entry.requestId ?? null,
    entry.argsDigest ?? null, entry.latencyMs ?? null,
  ].map(asStored);
  const inTransaction = immediateTransactions(db);
  const chainHead = () => (last.get() as { row_hash: string } | undefined)?.row_hash ?? GENESIS_HASH;
  return {
    append(entry) {
      const values = toValues(entry);
      return inTransaction(() => {
        const prevHash = chainHead();
        const hash = rowHash(prevHash, values);
        const info = insert.run(...values, prevHash, hash);
        return { id: Number(info.lastInsertRowid), rowHash: hash };
      });
    },
    appendBatch(entries, alongside) {
      if (entries.length === 0 && !alongside) return;
      const rows = entries.map(toValues);
      inTransaction(() => {
        alongside?.();
        let prevHash = chainHead();
        for (const values of rows) {
          const hash = rowHash(prevHash, values);
          insert.run(...values, prevHash, hash);
          prevHash = hash;
        }
      });
    },
  };
}

export interface VerifyResult {
  ok: boolean;
  rows: number;
  problems: string[];
}

/**
 * Recomputes the chain. An edited row breaks its own hash; a deleted row breaks the next
 * row's prev_hash; deleted tail rows leave AUTOINCREMENT's high-water mark above the last id,
 * and once rows are appended after them, a gap in the ids (AUTOINCREMENT never reuses an id,
 * and an insert rolled back takes its id back with it). What the file alone cannot show:
 * a tail cut by someone who also sets the high-water mark back (sqlite_sequence is an
 * ordinary table), or a chain rewritten whole. A copy kept elsewhere can: `audit export
 * --postgres` refuses to go on when the trail no longer holds the last row it sent.
 */
export function verifyAuditChain(db: DatabaseSync): VerifyResult {
  // One read transaction: the rows and the high-water mark as of one moment. Read apart (the
  // CLI reads on its own connection while the engine appends), a row appended between the
  // two read as rows deleted from the end: TAMPERED, about an intact trail.
  db.exec('BEGIN');
  try {
    return verifyInSnapshot(db);
  } finally {
    db.exec('ROLLBACK');
  }
}

function verifyInSnapshot(db: DatabaseSync): VerifyResult {
  const problems: string[] = [];
  let prevHash = GENESIS_HASH;
  let rows = 0;
  let lastId = 0;
  const select = db.prepare(`SELECT id, ${COLUMNS.join(', ')}, prev_hash, row_hash FROM mcp_audit ORDER BY id`);
  for (const raw of select.iterate()) {
    const row = raw as Record<string, string | number | null>;
    rows++;
    const id = Number(row.id);
    if (id !== lastId + 1) problems.push(`rows ${lastId + 1}..${id - 1} are missing (deleted)`);
    lastId = id;
    if (row.prev_hash !== prevHash) problems.push(`row ${row.id}: previous row missing or altered (chain broken before it)`);
    const values = COLUMNS.map((c) => row[c] ?? null);
    if (rowHash(String(row.prev_hash), values) !== row.row_hash) problems.push(`row ${row.id}: contents do not match its hash (edited)`);
    // Hashed as null (see asStored): only a check of its own tells an edit to ±Infinity.
    for (const column of COLUMNS) {
      const value = row[column];
      if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`row ${row.id}: ${column} holds ${value}, which no row is written with (edited)`);
    }
    prevHash = String(row.row_hash);
  }
  const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'mcp_audit'").get() as { seq: number } | undefined;
  if (seq && Number(seq.seq) > lastId) problems.push(`rows ${lastId + 1}..${seq.seq} were deleted from the end of the trail`);
  return { ok: problems.length === 0, rows, problems };
}
