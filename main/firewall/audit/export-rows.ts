import type { DatabaseSync } from 'node:sqlite';

/**
 * Every column of `mcp_audit`, in table order. Exports write keys in exactly this order so
 * two exports of one trail are byte-identical, and a receiver can recompute the chain:
 * `row_hash = sha256(prev_hash + "\n" + JSON.stringify([event_time … latency_ms]))`, the
 * values between `id` and `prev_hash` in this order (see audit-log.ts).
 */
export const EXPORT_COLUMNS = [
  'id', 'event_time', 'event', 'actor_id', 'client', 'server_name', 'tool_name', 'method', 'action_class', 'decision',
  'approval_id', 'rule_id', 'reason', 'session_id', 'request_id', 'args_digest', 'latency_ms', 'prev_hash', 'row_hash',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type AuditRow = Record<ExportColumn, string | number | null>;

export interface RowRange {
  /** Only rows with a larger id: what the destination already holds is skipped. */
  afterId?: number;
  /** Only rows at or after this ISO-8601 UTC time (event_time is string-comparable). */
  sinceIso?: string;
}

/**
 * Rows in id order, read in pages so a long trail never sits in memory at once. The last
 * id is fixed when the export starts: the engine keeps appending, and an export that chased
 * it would never end.
 */
export function* readAuditRows(db: DatabaseSync, range: RowRange, pageSize = 1000): Generator<AuditRow[]> {
  const { lastId } = db.prepare('SELECT COALESCE(MAX(id), 0) AS lastId FROM mcp_audit').get() as { lastId: number };
  const page = db.prepare(
    `SELECT ${EXPORT_COLUMNS.join(', ')} FROM mcp_audit WHERE id > ? AND id <= ? AND event_time >= ? ORDER BY id LIMIT ?`,
  );
  let afterId = range.afterId ?? 0;
  for (;;) {
    const raw = page.all(afterId, lastId, range.sinceIso ?? '', pageSize) as Array<Record<string, string | number | null>>;
    if (raw.length === 0) return;
    yield raw.map(inColumnOrder);
    afterId = Number(raw[raw.length - 1]!.id);
  }
}

function inColumnOrder(raw: Record<string, string | number | null>): AuditRow {
  const row = {} as AuditRow;
  for (const column of EXPORT_COLUMNS) row[column] = raw[column] ?? null;
  return row;
}

/**
 * Names this trail in a destination shared by many machines: the hash of its first row.
 * Row ids restart at 1 in every data dir, so an id alone cannot tell two laptops' rows (or
 * a reset data dir's) apart; the first row's hash, chained from the genesis hash and
 * stamped to the millisecond, can. Null while the trail is empty.
 */
export function trailChainId(db: DatabaseSync): string | null {
  const first = db.prepare('SELECT row_hash FROM mcp_audit ORDER BY id LIMIT 1').get() as { row_hash: string } | undefined;
  return first?.row_hash ?? null;
}
