import { openReadOnly } from '../store/database.js';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/**
 * Runs user SQL on a read-only connection: SQLite itself refuses any write, so no
 * keyword filtering is needed (and none could be complete).
 */
export function runReadOnlyQuery(databaseFile: string, sql: string): QueryResult {
  const db = openReadOnly(databaseFile);
  try {
    const statement = db.prepare(sql);
    const rows = statement.all() as Array<Record<string, unknown>>;
    const columns = statement.columns().map((c) => c.name);
    return { columns, rows };
  } finally {
    db.close();
  }
}
