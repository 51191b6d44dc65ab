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

/**
 * Throws for SQL that would write even on a read-only connection (VACUUM INTO), and for more
 * than one statement: SQLite prepares only the first, so `select 1; delete …` would run the
 * select and say nothing of the rest.
 */
export function checkReadOnlySql(sql: string): void {
  if (/^vacuum\b/i.test(leadingKeyword(sql))) throw new Error('VACUUM writes a file: only read-only SQL (SELECT, WITH, PRAGMA, EXPLAIN) runs here');
  const end = firstStatementEnd(sql);
  if (end !== -1 && !isTrivia(sql.slice(end + 1))) {
    throw new Error('one statement at a time: SQLite would run only the one before the first ";" and skip the rest');
  }
}

/** Only whitespace, comments and empty statements. */
function isTrivia(sql: string): boolean {
  let rest = leadingKeyword(sql);
  while (rest.startsWith(';')) rest = leadingKeyword(rest.slice(1));
  return rest === '';
}

/** The index of the `;` that ends the first statement (not one in a string, a quoted name or a comment), or -1. */
function firstStatementEnd(sql: string): number {
  const closers: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === ';') return i;
    if (c in closers) {
      // A doubled quote inside a string is the quote itself; the scan then just goes on.
      const close = sql.indexOf(closers[c]!, i + 1);
      if (close === -1) return -1;
      i = close;
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      if (newline === -1) return -1;
      i = newline;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) return -1;
      i = close + 1;
    }
  }
  return -1;
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
