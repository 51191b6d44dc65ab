import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { QUERY_CHILD, runReadOnlyQueryIsolated } from '../../../main/firewall/audit/audit-query-isolated.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// A person's audit SQL runs in a child process the engine can kill: a query that never
// ends must not hold the engine's thread (its API, approvals and remote sessions).

const ENDLESS = 'WITH x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) SELECT count(*) FROM x';

/** About 1.5 KB of SQL whose compiled program doubles per level: SQLite takes seconds to prepare it and list its program (EXPLAIN). Level 17 takes ~2.5 s of CPU to prepare, level 19 ~12 s. */
function slowToCompile(levels: number): string {
  const ctes = ['t0(x) AS NOT MATERIALIZED (SELECT 1)'];
  for (let i = 1; i <= levels; i++) ctes.push(`t${i}(x) AS NOT MATERIALIZED (SELECT a.x FROM t${i - 1} a UNION ALL SELECT b.x FROM t${i - 1} b)`);
  return `WITH ${ctes.join(', ')} SELECT count(*) FROM t${levels}`;
}

/** The longest the caller's event loop went without running a timer while `start()`'s work was under way, from its call. */
async function longestStall(start: () => Promise<unknown>): Promise<number> {
  let last = Date.now();
  let longest = 0;
  const ticking = setInterval(() => {
    longest = Math.max(longest, Date.now() - last);
    last = Date.now();
  }, 20);
  try {
    await start();
  } catch {
    // The caller asserts on the outcome itself.
  } finally {
    clearInterval(ticking);
  }
  return Math.max(longest, Date.now() - last);
}

describe('audit SQL from the control API and the dashboard', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-query-'));
    file = join(dir, 'firewall.db');
    const db = openDatabase(file);
    createAuditLog(db).append({ event: 'registry', decision: 'APPROVED', serverName: 'github', reason: 'test' });
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers with the columns and rows', async () => {
    const result = await runReadOnlyQueryIsolated(file, "SELECT server_name, decision FROM mcp_audit WHERE event = 'registry'");
    expect(result).toEqual({ columns: ['server_name', 'decision'], rows: [{ server_name: 'github', decision: 'APPROVED' }] });
  });

  it('stops a query that never ends, and the caller’s thread stays free meanwhile', async () => {
    let ticks = 0;
    const ticking = setInterval(() => ticks++, 50);
    const started = Date.now();
    try {
      await expect(runReadOnlyQueryIsolated(file, ENDLESS, { timeoutMs: 1500 })).rejects.toThrow('the query ran longer than 2 s and was stopped');
    } finally {
      clearInterval(ticking);
    }
    // The limit is 1.5 s; a query never stopped runs into the test's own 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(ticks).toBeGreaterThan(10); // in-process, the timer could not have fired once
  });

  it('compiles the statement (the ATTACH check) in the child too: one slow to compile is stopped by the time limit, the caller’s thread free', async () => {
    let query: Promise<unknown> = Promise.resolve();
    // Compiled on the caller's thread, the statement would hold it ~12 s; in the child, the
    // caller's timer runs late by a fraction of a second at most, even on a busy machine.
    expect(await longestStall(() => (query = runReadOnlyQueryIsolated(file, slowToCompile(19), { timeoutMs: 1500 })))).toBeLessThan(3000);
    await expect(query).rejects.toThrow('the query ran longer than 2 s and was stopped');
  });

  it('leaves the caller’s SQLite settings alone: a PRAGMA that acts when compiled acts in the child only', async () => {
    const engineDb = openDatabase(join(dir, 'engine-side.db'));
    const setting = () => engineDb.prepare('PRAGMA temp_store_directory').all();
    const before = setting();
    try {
      for (const sql of [`PRAGMA temp_store_directory = '${dir}'`, `EXPLAIN PRAGMA temp_store_directory = '${dir}'`]) {
        await runReadOnlyQueryIsolated(file, sql);
        expect(setting(), sql).toEqual(before);
      }
    } finally {
      engineDb.exec("PRAGMA temp_store_directory = ''");
      engineDb.close();
    }
  });

  it('the child ends itself when its time is up, even if the engine died before it could kill it', async () => {
    // Only the child, with nobody watching it: its own watchdog must end it.
    const child = spawn(process.execPath, ['--no-warnings', '-e', QUERY_CHILD], { stdio: ['pipe', 'ignore', 'ignore'] });
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdin.end(JSON.stringify({ file, sql: ENDLESS, timeoutMs: 800 }));
    const signal = await Promise.race([ended, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 8000))]);
    if (signal === 'still running') child.kill('SIGKILL');
    expect(signal).toBe('SIGKILL');
  });

  it('reports bad SQL, a write, VACUUM INTO and ATTACH as errors, writing nothing', async () => {
    await expect(runReadOnlyQueryIsolated(file, 'SELEC nonsense')).rejects.toThrow(/syntax error/);
    await expect(runReadOnlyQueryIsolated(file, 'DELETE FROM mcp_audit')).rejects.toThrow(/readonly/);
    await expect(runReadOnlyQueryIsolated(file, `VACUUM INTO '${join(dir, 'copy.db')}'`)).rejects.toThrow(/VACUUM writes a file/);
    await expect(runReadOnlyQueryIsolated(file, `ATTACH '${file}' AS again`)).rejects.toThrow(/ATTACH opens another database file/);
    const count = await runReadOnlyQueryIsolated(file, 'SELECT count(*) AS n FROM mcp_audit');
    expect(count.rows).toEqual([{ n: 1 }]);
  });
});
