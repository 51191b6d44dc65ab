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
      const afterId = await exportedUpTo(client, table, chainId);
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

async function exportedUpTo(client: pg.Client, table: TableName, chainId: string): Promise<number> {
  const { rows } = await client.query<{ id: string }>(`SELECT COALESCE(MAX(id), 0)::text AS id FROM ${table.sql} WHERE chain_id = $1`, [chainId]);
  return Number(rows[0]?.id ?? 0);
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
