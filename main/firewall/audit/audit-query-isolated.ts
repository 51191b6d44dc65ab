import { spawn } from 'node:child_process';
import { readOnlySqlRefusal, type QueryResult } from './audit-query.js';

// The engine runs a person's audit SQL (control API, dashboard) in a child process: SQLite
// runs a statement to its end on the thread that called it, node:sqlite offers no way to
// interrupt it, and a recursive CTE that never ends (`WITH x(n) AS (SELECT 1 UNION ALL
// SELECT n+1 FROM x) SELECT count(*) FROM x`) would hold the engine's one thread — its API,
// the approvals, every remote session — until it is killed. A child can be killed.

export const AUDIT_QUERY_TIMEOUT_MS = 30_000;

/**
 * How much of a result is answered. A larger one is refused, not cut short: a partial answer
 * (to a script reading `--json`, a count over a page of it) would read as the whole. The query
 * can say LIMIT; the whole trail is what `audit export` writes, a row at a time. Bytes bound a
 * result of wide rows; rows one of many narrow ones, each an object once parsed (a cross join
 * of `SELECT 1`s fits a million rows in 16 MB of text, and takes several times that as objects).
 */
export interface QueryLimits {
  timeoutMs: number;
  maxRows: number;
  maxBytes: number;
}

export const MAX_QUERY_ROWS = 1_000_000;
export const MAX_QUERY_OUTPUT_BYTES = 64 << 20;

// Runs in the child: a read-only connection, one statement. A worker thread kills the child
// when its time is up, whatever the main thread is stuck in, so a query outlives neither its
// limit nor an engine that died before it could kill it. The statement is checked here too,
// under that timer: compiling it is not bounded work, and some PRAGMAs act when compiled.
// It answers a line of JSON at a time: the columns, one line per row as SQLite steps to it,
// then `done`, or a refusal or SQLite's error. Rows are not gathered: once the pipe is full
// the statement waits for the parent to read, so the child holds one chunk of a result of any
// size, and the parent stops it at its limits instead of waiting for all of it.
export const QUERY_CHILD = `
const { DatabaseSync } = require('node:sqlite');
const { Worker } = require('node:worker_threads');
const readOnlySqlRefusal = (${readOnlySqlRefusal.toString()});
const CHUNK = 64 * 1024;
let waiting = '';
const flush = () => {
  const text = waiting;
  waiting = '';
  return process.stdout.write(text) ? undefined : new Promise((resolve) => process.stdout.once('drain', resolve));
};
// A replacer costs a call per value, and only a bigint needs one (node:sqlite gives those only with readBigInts).
const line = (message) => {
  try {
    return JSON.stringify(message);
  } catch {
    return JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  }
};
/** Queues one line; a promise when the queue was written out and the pipe is full. */
const send = (message) => {
  waiting += line(message) + '\\n';
  return waiting.length >= CHUNK ? flush() : undefined;
};
async function run(input) {
  let db;
  try {
    const { file, sql, timeoutMs } = JSON.parse(input);
    new Worker('setTimeout(() => process.kill(process.pid, "SIGKILL"), ' + Number(timeoutMs) + ')', { eval: true }).unref();
    db = new DatabaseSync(file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 5000;');
    const refused = readOnlySqlRefusal(db, sql);
    if (refused !== undefined) {
      send({ refused });
    } else {
      const statement = db.prepare(sql);
      send({ columns: statement.columns().map((c) => c.name) });
      for (const row of statement.iterate()) {
        const full = send({ row });
        if (full) await full;
      }
      send({ done: true });
    }
  } catch (error) {
    send({ error: String(error && error.message || error) });
  } finally {
    if (db) db.close();
  }
  await flush();
}
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => void run(input));
`;

type ChildLine = { columns: string[] } | { row: Record<string, unknown> } | { done: true } | { error: string } | { refused: string };

/**
 * Feeds `onLine` each complete line of a stream of text chunks. Only the new chunk is searched
 * for a line break, and a line longer than a chunk is kept as its pieces, joined once it ends:
 * `(partial + chunk).split('\n')` rescanned the whole unfinished line on every 64 KB chunk, and
 * a 32 MB row held the engine's thread for 8 s.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let pieces: string[] = [];
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      pieces.push(chunk.slice(start, end));
      const line = pieces.length === 1 ? pieces[0]! : pieces.join('');
      pieces = [];
      start = end + 1;
      onLine(line);
    }
    if (start < chunk.length) pieces.push(chunk.slice(start));
  };
}

// Queries still running when the engine exits are killed with it.
const live = new Set<ReturnType<typeof spawn>>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function runReadOnlyQueryIsolated(databaseFile: string, sql: string, limits: Partial<QueryLimits> = {}): Promise<QueryResult> {
  const { timeoutMs = AUDIT_QUERY_TIMEOUT_MS, maxRows = MAX_QUERY_ROWS, maxBytes = MAX_QUERY_OUTPUT_BYTES } = limits;
  return new Promise((resolve, reject) => {
    // ELECTRON_RUN_AS_NODE: inside the desktop app, execPath is Electron's binary (RunAsNode fuse on).
    const child = spawn(process.execPath, ['--no-warnings', '-e', QUERY_CHILD], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const result: QueryResult = { columns: [], rows: [] };
    let ending: Exclude<ChildLine, { columns: string[] } | { row: Record<string, unknown> }> | null = null;
    let size = 0;
    let failure: string | null = null;
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const take = (line: string) => {
      const message = JSON.parse(line) as ChildLine;
      if ('row' in message) {
        if (result.rows.length === maxRows) return stop(`the result has more than ${maxRows} rows and was stopped there; add LIMIT (the whole trail: mcp-firewall audit export)`);
        result.rows.push(message.row);
      } else if ('columns' in message) {
        result.columns = message.columns;
      } else {
        ending = message;
      }
    };
    const push = lineSplitter((line) => {
      if (!failure) take(line);
    });
    const timer = setTimeout(() => stop(`the query ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (failure) return;
      size += Buffer.byteLength(chunk);
      if (size > maxBytes) {
        return stop(`the result is larger than ${Math.round(maxBytes / 2 ** 20)} MiB and was stopped after ${result.rows.length} rows; narrow the query (LIMIT, fewer columns)`);
      }
      try {
        push(chunk);
      } catch {
        stop('the query answered something that is not a result');
      }
    });
    child.on('error', (error) => stop(`the query could not be run: ${error.message}`));
    child.on('close', () => {
      clearTimeout(timer);
      const end = ending;
      if (failure) reject(new Error(failure));
      else if (end === null) reject(new Error('the query ended without an answer'));
      else if ('refused' in end) reject(new Error(end.refused));
      else if ('error' in end) reject(new Error(end.error));
      else resolve(result);
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    // The child's own watchdog fires a little after ours, so ours names the reason.
    child.stdin.end(JSON.stringify({ file: databaseFile, sql, timeoutMs: timeoutMs + 1000 }));
  });
}
