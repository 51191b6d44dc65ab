import type { ClientBase } from 'pg';
import { EXPORT_COLUMNS, type ExportColumn } from './export-rows.js';
import { PostgresExportError } from './export-postgres-errors.js';

const TEXT = { ddl: 'text', accepts: ['text', 'character varying'] };

/**
 * Postgres types for our columns. event_time is timestamptz so the seed's gate query,
 * `event_time >= NOW() - INTERVAL '10 minutes'`, runs unchanged in the warehouse.
 */
const COLUMN_TYPES: Record<ExportColumn | 'chain_id', { ddl: string; accepts: string[]; notNull?: boolean }> = {
  id: { ddl: 'bigint', accepts: ['bigint'], notNull: true },
  event_time: { ddl: 'timestamptz', accepts: ['timestamp with time zone'], notNull: true },
  event: { ...TEXT, notNull: true },
  actor_id: TEXT,
  client: TEXT,
  server_name: TEXT,
  tool_name: TEXT,
  method: TEXT,
  action_class: TEXT,
  decision: { ...TEXT, notNull: true },
  approval_id: TEXT,
  rule_id: TEXT,
  reason: TEXT,
  session_id: TEXT,
  request_id: TEXT,
  args_digest: TEXT,
  latency_ms: { ddl: 'double precision', accepts: ['double precision', 'numeric'] },
  prev_hash: { ...TEXT, notNull: true },
  row_hash: { ...TEXT, notNull: true },
  // Which machine's trail a row came from (export-rows.ts: trailChainId); ids repeat across trails.
  chain_id: { ...TEXT, notNull: true },
};

export const TABLE_COLUMNS = [...EXPORT_COLUMNS, 'chain_id'] as const;

export interface TableName {
  /** As the user would write it unquoted: what the seed's query names. */
  display: string;
  /** Quoted, for SQL text. */
  sql: string;
  /** Bare table name, for naming its index. */
  name: string;
}

/** `--table [schema.]name`, folded to lower case as Postgres folds an unquoted name. */
export function parseTableName(value: string): TableName | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(value) || value.length > 127) return null;
  const parts = value.toLowerCase().split('.');
  return { display: parts.join('.'), sql: parts.map((p) => `"${p}"`).join('.'), name: parts[parts.length - 1]! };
}

/** Creates the table when it is missing; refuses one whose shape our rows would not fit. */
export async function ensureAuditTable(client: ClientBase, table: TableName): Promise<void> {
  // Looked up first rather than left to CREATE TABLE IF NOT EXISTS, which demands CREATE on
  // the schema even when the table is there: a warehouse login may only be allowed to insert.
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table.sql]);
  if (!rows[0]?.exists) await createAuditTable(client, table);
  const problems = await shapeProblems(client, table);
  if (problems.length > 0) {
    throw new PostgresExportError(`table ${table.display} does not fit the audit rows: ${problems.join('; ')} (export to another --table, or fix or drop this one)`);
  }
}

async function createAuditTable(client: ClientBase, table: TableName): Promise<void> {
  const columns = TABLE_COLUMNS.map((c) => `  ${c} ${COLUMN_TYPES[c].ddl}${COLUMN_TYPES[c].notNull ? ' NOT NULL' : ''}`);
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${table.sql} (\n${columns.join(',\n')},\n  PRIMARY KEY (chain_id, id)\n)`);
    // The seed's gate query filters on event_time.
    await client.query(`CREATE INDEX IF NOT EXISTS "${table.name}_event_time" ON ${table.sql} (event_time)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function shapeProblems(client: ClientBase, table: TableName): Promise<string[]> {
  const { rows } = await client.query<{ name: string; type: string; not_null: boolean; has_default: boolean }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null, atthasdef AS has_default
       FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [table.sql],
  );
  const existing = new Map(rows.map((r) => [r.name, r]));
  const problems: string[] = [];
  for (const column of TABLE_COLUMNS) {
    const found = existing.get(column);
    const wanted = COLUMN_TYPES[column];
    if (!found) problems.push(`column ${column} is missing`);
    else if (!wanted.accepts.includes(found.type.replace(/\(.*\)$/, ''))) problems.push(`column ${column} is ${found.type}, expected ${wanted.accepts[0]}`);
  }
  for (const found of rows) {
    if (!(TABLE_COLUMNS as readonly string[]).includes(found.name) && found.not_null && !found.has_default) {
      problems.push(`column ${found.name} is NOT NULL without a default and we have no value for it`);
    }
  }
  // Without this key, ON CONFLICT DO NOTHING has nothing to conflict on and a re-run
  // (or two exports at once) would duplicate rows.
  const { rows: keys } = await client.query<{ columns: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = to_regclass($1) AND i.indisunique GROUP BY i.indexrelid`,
    [table.sql],
  );
  if (!keys.some((k) => k.columns.join(',') === 'chain_id,id')) problems.push('no unique key on (chain_id, id)');
  return problems;
}
