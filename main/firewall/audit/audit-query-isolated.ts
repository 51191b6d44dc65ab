import { spawn } from 'node:child_process';
import { readOnlySqlRefusal, type QueryResult } from './audit-query.js';

// The engine runs a person's audit SQL (control API, dashboard) in a child process: SQLite
// runs a statement to its end on the thread that called it, node:sqlite offers no way to
// interrupt it, and a recursive CTE that never ends (`WITH x(n) AS (SELECT 1 UNION ALL
// SELECT n+1 FROM x) SELECT count(*) FROM x`) would hold the engine's one thread — its API,
// the approvals, every remote session — until it is killed. A child can be killed.

export const AUDIT_QUERY_TIMEOUT_MS = 30_000;
/** A larger answer is refused rather than buffered whole: the query can say LIMIT. */
export const MAX_QUERY_OUTPUT_BYTES = 64 << 20;

// Runs in the child: a read-only connection, one statement. A worker thread kills the child
// when its time is up, whatever the main thread is stuck in, so a query outlives neither its
// limit nor an engine that died before it could kill it. The statement is checked here too,
// under that timer: compiling it is not bounded work, and some PRAGMAs act when compiled.
// A refusal is its own answer (`refused`), apart from SQLite's errors.
export const QUERY_CHILD = `
const { DatabaseSync } = require('node:sqlite');
const { Worker } = require('node:worker_threads');
const readOnlySqlRefusal = (${readOnlySqlRefusal.toString()});
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  let out;
  try {
    const { file, sql, timeoutMs } = JSON.parse(input);
    new Worker('setTimeout(() => process.kill(process.pid, "SIGKILL"), ' + Number(timeoutMs) + ')', { eval: true }).unref();
    const db = new DatabaseSync(file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 5000;');
    const refused = readOnlySqlRefusal(db, sql);
    if (refused !== undefined) {
      out = { refused };
    } else {
      const statement = db.prepare(sql);
      const rows = statement.all();
      out = { columns: statement.columns().map((c) => c.name), rows };
    }
    db.close();
  } catch (error) {
    out = { error: String(error && error.message || error) };
  }
  process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
});
`;

// Queries still running when the engine exits are killed with it.
const live = new Set<ReturnType<typeof spawn>>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function runReadOnlyQueryIsolated(databaseFile: string, sql: string, timeoutMs = AUDIT_QUERY_TIMEOUT_MS): Promise<QueryResult> {
  return new Promise((resolve, reject) => {
    // ELECTRON_RUN_AS_NODE: inside the desktop app, execPath is Electron's binary (RunAsNode fuse on).
    const child = spawn(process.execPath, ['--no-warnings', '-e', QUERY_CHILD], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: string | null = null;
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`the query ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_QUERY_OUTPUT_BYTES) return stop(`the result is larger than ${MAX_QUERY_OUTPUT_BYTES >> 20} MiB; narrow the query (LIMIT, fewer columns)`);
      chunks.push(chunk);
    });
    child.on('error', (error) => stop(`the query could not be run: ${error.message}`));
    child.on('close', () => {
      clearTimeout(timer);
      if (failure) return reject(new Error(failure));
      try {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as QueryResult | { error: string } | { refused: string };
        if ('refused' in answer) reject(new Error(answer.refused));
        else if ('error' in answer) reject(new Error(answer.error));
        else resolve(answer);
      } catch {
        reject(new Error('the query ended without an answer'));
      }
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    // The child's own watchdog fires a little after ours, so ours names the reason.
    child.stdin.end(JSON.stringify({ file: databaseFile, sql, timeoutMs: timeoutMs + 1000 }));
  });
}
