import type { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { openReadOnly } from '../store/database.js';
import { readAuditRows, trailChainId, type AuditRow } from './export-rows.js';
import { describeTarget, explainPostgresError, PostgresExportError, redact, type PostgresTarget } from './export-postgres-errors.js';
import { passwordsUsedBy } from './export-postgres-password.js';
import { usePasswordFile } from './export-postgres-pgpass.js';
import { ensureAuditTable, parseTableName, TABLE_COLUMNS, type TableName } from './export-postgres-table.js';

export interface PostgresExportOptions {
  databaseFile: string;
  url: string;
  table?: string;
  /** Rows per transaction. 19 columns × 500 stays far below Postgres' 65,535 parameters. */
  batchSize?: number;
}

export interface PostgresExportResult {
  table: string;
  target: string;
  /** Rows this run inserted. */
  sent: number;
  /** Rows this run offered that the table already had (another export got there first). */
  alreadyThere: number;
}

/**
 * Copies the audit rows the destination does not have yet. What has been exported is read
 * from the destination itself (the highest id it holds for this trail), never from a marker
 * kept here: a batch that fails rolls back and so is sent again next time, and a table that
 * was emptied or replaced is refilled. ON CONFLICT DO NOTHING makes two overlapping runs safe.
 */
export async function exportToPostgres(options: PostgresExportOptions): Promise<PostgresExportResult> {
  const table = parseTableName(options.table ?? 'mcp_audit');
  if (!table) throw new PostgresExportError(`bad --table "${options.table}": expected NAME or SCHEMA.NAME (letters, digits, _)`);
  const client = connectClient(options.url);
  const target: PostgresTarget = { user: client.user, host: client.host, port: client.port, database: client.database };
  const passwords = passwordsUsedBy(client);
  const db = openReadOnly(options.databaseFile);
  let sent = 0;
  let alreadyThere = 0;
  try {
    // Without a listener, an error on the idle socket (server restart) would crash the CLI.
    client.on('error', () => {});
    await client.connect();
    await ensureAuditTable(client, table);
    const chainId = trailChainId(db);
    if (chainId) {
      const exported = await lastExported(client, table, chainId);
      if (exported) checkStillHeld(db, exported, table);
      const afterId = exported ? exported.id : 0;
      for (const page of readAuditRows(db, { afterId }, options.batchSize ?? 500)) {
        const inserted = await insertBatch(client, table, chainId, page);
        sent += inserted;
        alreadyThere += page.length - inserted;
      }
    }
    return { table: table.display, target: describeTarget(target), sent, alreadyThere };
  } catch (error) {
    if (error instanceof PostgresExportError) throw new PostgresExportError(redact(error.message, passwords()), sent);
    const partly = sent > 0 ? ` (${sent} rows were committed before it; run the export again to send the rest)` : '';
    throw new PostgresExportError(`${explainPostgresError(error, target, passwords())}${partly}`, sent);
  } finally {
    db.close();
    await client.end().catch(() => {});
  }
}

// No password in it: we point people at PGPASSWORD and ~/.pgpass, which stay out of shell
// history and `ps` (a password in the URL still works).
const URL_SHAPE = 'postgres://USER@HOST:PORT/DATABASE';

function connectClient(url: string): pg.Client {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new PostgresExportError(`bad Postgres URL: expected ${URL_SHAPE}`);
  }
  try {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'mcp-firewall audit export' });
    usePasswordFile(client);
    return client;
  } catch (error) {
    // pg's parser already hides the URL in its error; our message never repeats it either.
    throw new PostgresExportError(`bad Postgres URL (${(error as Error).message}): expected ${URL_SHAPE}`);
  }
}

interface ExportedRow {
  id: number;
  rowHash: string;
}

async function lastExported(client: pg.Client, table: TableName, chainId: string): Promise<ExportedRow | null> {
  // pg hands a bigint over as a string; ordered as the bigint it is.
  const { rows } = await client.query<{ id: string; row_hash: string }>(`SELECT id, row_hash FROM ${table.sql} WHERE chain_id = $1 ORDER BY id DESC LIMIT 1`, [chainId]);
  return rows[0] ? { id: Number(rows[0].id), rowHash: rows[0].row_hash } : null;
}

/**
 * The exported copy is the trail's anchor outside this machine. `audit verify` cannot tell a
 * tail cut together with AUTOINCREMENT's high-water mark (sqlite_sequence is a table like any
 * other), nor a chain rewritten from some row on; the copy can: the last row it holds must
 * still be here, hash for hash. When it is not, nothing more is sent over the evidence.
 */
function checkStillHeld(db: DatabaseSync, exported: ExportedRow, table: TableName): void {
  const here = db.prepare('SELECT row_hash FROM mcp_audit WHERE id = ?').get(exported.id) as { row_hash: string } | undefined;
  const what = !here ? 'no longer holds' : here.row_hash !== exported.rowHash ? 'holds another version of' : null;
  if (what === null) return;
  throw new PostgresExportError(`the local audit trail ${what} row ${exported.id}, which an earlier export sent to ${table.display}: rows were deleted or rewritten since; nothing was sent (the exported copy is the record: compare it with \`audit export\` of this trail)`);
}

/** One transaction per batch: it lands whole or not at all. Returns the rows inserted. */
async function insertBatch(client: pg.Client, table: TableName, chainId: string, page: AuditRow[]): Promise<number> {
  const width = TABLE_COLUMNS.length;
  const tuples = page.map((_, r) => `(${TABLE_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  const values = page.flatMap((row) => TABLE_COLUMNS.map((c) => (c === 'chain_id' ? chainId : row[c])));
  await client.query('BEGIN');
  try {
    const result = await client.query(`INSERT INTO ${table.sql} (${TABLE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`, values);
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
