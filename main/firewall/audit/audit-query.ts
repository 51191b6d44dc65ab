import type { DatabaseSync } from 'node:sqlite';
import { openReadOnly } from '../store/database.js';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/**
 * Runs user SQL on a read-only connection: SQLite itself refuses any write to the database,
 * so no keyword filtering is needed for that. What still reaches another file on such a
 * connection is refused by checkReadOnlySql.
 */
export function runReadOnlyQuery(databaseFile: string, sql: string): QueryResult {
  const db = openReadOnly(databaseFile);
  try {
    checkReadOnlySql(db, sql);
    const statement = db.prepare(sql);
    const rows = statement.all() as Array<Record<string, unknown>>;
    const columns = statement.columns().map((c) => c.name);
    return { columns, rows };
  } finally {
    db.close();
  }
}

/**
 * Throws for SQL that reaches a file other than the audit database, and for more than one
 * statement: SQLite prepares only the first, so `select 1; delete …` would run the select and
 * say nothing of the rest. `db` is a read-only connection to the audit database: the statement
 * is compiled on it, never run.
 */
export function checkReadOnlySql(db: DatabaseSync, sql: string): void {
  const end = firstStatementEnd(sql);
  if (end !== -1 && !isTrivia(sql.slice(end + 1))) {
    throw new Error('one statement at a time: SQLite would run only the one before the first ";" and skip the rest');
  }
  refuseOtherFiles(db, sql);
}

// What SQLite would do is read from the statement's compiled program (EXPLAIN), not guessed
// from its text, so no spelling, comment or quoting slips past: ATTACH opens any database file
// the engine's user can read (and its error tells whether a path exists), VACUUM INTO writes a
// copy of the whole trail to any path even on a read-only connection, and load_extension runs
// a library's code (node:sqlite refuses it today; this does not lean on that default).
const OTHER_FILE_CALLS = new Map([
  ['sqlite_attach', 'ATTACH opens another database file: audit query reads the audit database only'],
  ['sqlite_detach', 'DETACH works on attached database files: audit query reads the audit database only'],
  ['load_extension', 'load_extension loads a library from a file: audit query reads the audit database only'],
]);

function refuseOtherFiles(db: DatabaseSync, sql: string): void {
  // An EXPLAIN statement only compiles what follows it, and `EXPLAIN EXPLAIN …` is not SQL.
  if (/^explain\b/i.test(leadingKeyword(sql))) return;
  const program = db.prepare(`EXPLAIN ${sql}`).all() as Array<{ opcode: string; p4: unknown }>;
  for (const { opcode, p4 } of program) {
    if (opcode === 'Vacuum') throw new Error('VACUUM writes a file: only read-only SQL (SELECT, WITH, PRAGMA, EXPLAIN) runs here');
    // A function call's p4 reads `name(argument count)`; other opcodes' p4 can be a literal the SQL spelled that way.
    const isCall = opcode === 'Function' || opcode === 'PureFunc';
    const called = isCall && typeof p4 === 'string' ? /^(\w+)\(\d+\)$/.exec(p4)?.[1] : undefined;
    const refusal = called === undefined ? undefined : OTHER_FILE_CALLS.get(called);
    if (refusal) throw new Error(refusal);
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
