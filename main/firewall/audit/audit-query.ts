import { openReadOnly } from '../store/database.js';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/**
 * Runs user SQL on a read-only connection: SQLite itself refuses any write to the database,
 * so no keyword filtering is needed for that. VACUUM INTO is the one statement that still
 * writes on such a connection (a copy of the whole trail, to any path), so it is refused.
 */
export function runReadOnlyQuery(databaseFile: string, sql: string): QueryResult {
  checkReadOnlySql(sql);
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

/** Throws for SQL that would write even on a read-only connection (VACUUM INTO). */
export function checkReadOnlySql(sql: string): void {
  if (/^vacuum\b/i.test(leadingKeyword(sql))) throw new Error('VACUUM writes a file: only read-only SQL (SELECT, WITH, PRAGMA, EXPLAIN) runs here');
}

/** The SQL from its first keyword on: leading whitespace, `-- …` and `/* … *\/` comments dropped. */
function leadingKeyword(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('--')) rest = trimmed.slice(trimmed.indexOf('\n') === -1 ? trimmed.length : trimmed.indexOf('\n'));
    else if (trimmed.startsWith('/*')) rest = trimmed.slice(trimmed.indexOf('*/') === -1 ? trimmed.length : trimmed.indexOf('*/') + 2);
    else return trimmed;
  }
}
