import type { DatabaseSync } from 'node:sqlite';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/**
 * Why SQL may not run as an audit query, or undefined when it may: it reaches a file other
 * than the audit database, or holds more than one statement (SQLite prepares only the first,
 * so `select 1; delete …` would run the select and say nothing of the rest). `db` is a
 * read-only connection to the audit database (SQLite itself refuses any write on it): the
 * statement is compiled on it, never run. A statement SQLite cannot compile throws its error.
 *
 * Its source text runs in the query child (QUERY_CHILD, audit-query-isolated.ts), never in
 * the engine: compiling is not bounded (a chain of NOT MATERIALIZED CTEs each reading the one
 * before twice doubles the program per level), and some PRAGMAs (temp_store_directory,
 * hard_heap_limit) take effect when compiled, for every connection of the process. So it
 * uses nothing from outside its own body: no imports, no module-level names.
 */
export function readOnlySqlRefusal(db: DatabaseSync, sql: string): string | undefined {
  // What SQLite would do is read from the statement's compiled program (EXPLAIN), not guessed
  // from its text, so no spelling, comment or quoting slips past: ATTACH opens any database file
  // the engine's user can read (and its error tells whether a path exists), VACUUM INTO writes a
  // copy of the whole trail to any path even on a read-only connection, and load_extension runs
  // a library's code (node:sqlite refuses it today; this does not lean on that default).
  const otherFileCalls = new Map([
    ['sqlite_attach', 'ATTACH opens another database file: audit query reads the audit database only'],
    ['sqlite_detach', 'DETACH works on attached database files: audit query reads the audit database only'],
    ['load_extension', 'load_extension loads a library from a file: audit query reads the audit database only'],
  ]);

  /** The SQL from its first keyword on: leading whitespace, `-- …` and `/* … *\/` comments dropped. */
  const leadingKeyword = (text: string): string => {
    let rest = text;
    for (;;) {
      const trimmed = rest.replace(/^\s+/, '');
      if (trimmed.startsWith('--')) rest = trimmed.slice(trimmed.indexOf('\n') === -1 ? trimmed.length : trimmed.indexOf('\n'));
      else if (trimmed.startsWith('/*')) rest = trimmed.slice(trimmed.indexOf('*/') === -1 ? trimmed.length : trimmed.indexOf('*/') + 2);
      else return trimmed;
    }
  };

  /** Only whitespace, comments and empty statements. */
  const isTrivia = (text: string): boolean => {
    let rest = leadingKeyword(text);
    while (rest.startsWith(';')) rest = leadingKeyword(rest.slice(1));
    return rest === '';
  };

  /** The index of the `;` that ends the first statement (not one in a string, a quoted name or a comment), or -1. */
  const firstStatementEnd = (text: string): number => {
    const closers: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === ';') return i;
      if (c in closers) {
        // A doubled quote inside a string is the quote itself; the scan then just goes on.
        const close = text.indexOf(closers[c]!, i + 1);
        if (close === -1) return -1;
        i = close;
      } else if (c === '-' && text[i + 1] === '-') {
        const newline = text.indexOf('\n', i);
        if (newline === -1) return -1;
        i = newline;
      } else if (c === '/' && text[i + 1] === '*') {
        const close = text.indexOf('*/', i + 2);
        if (close === -1) return -1;
        i = close + 1;
      }
    }
    return -1;
  };

  const end = firstStatementEnd(sql);
  if (end !== -1 && !isTrivia(sql.slice(end + 1))) {
    return 'one statement at a time: SQLite would run only the one before the first ";" and skip the rest';
  }
  // An EXPLAIN statement only compiles what follows it, and `EXPLAIN EXPLAIN …` is not SQL.
  if (/^explain\b/i.test(leadingKeyword(sql))) return undefined;
  // Row by row: the program of a large statement is not held whole.
  for (const row of db.prepare(`EXPLAIN ${sql}`).iterate()) {
    const { opcode, p4 } = row as { opcode: string; p4: unknown };
    if (opcode === 'Vacuum') return 'VACUUM writes a file: only read-only SQL (SELECT, WITH, PRAGMA, EXPLAIN) runs here';
    // A function call's p4 reads `name(argument count)`; other opcodes' p4 can be a literal the SQL spelled that way.
    const isCall = opcode === 'Function' || opcode === 'PureFunc';
    const called = isCall && typeof p4 === 'string' ? /^(\w+)\(\d+\)$/.exec(p4)?.[1] : undefined;
    const refusal = called === undefined ? undefined : otherFileCalls.get(called);
    if (refusal) return refusal;
  }
  return undefined;
}
