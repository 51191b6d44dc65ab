import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendFileSync, closeSync, existsSync, openSync, lstatSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, verifyAuditChain } from '../../../main/firewall/audit/audit-log.js';
import { createSpool } from '../../../main/firewall/ipc/spool.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-spool-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  return { dir, db, audit: createAuditLog(db) };
}
const rows = (db: ReturnType<typeof openDatabase>) =>
  db.prepare('SELECT tool_name, server_name, session_id FROM mcp_audit ORDER BY id').all() as Array<{ tool_name: string; server_name: string; session_id: string }>;

describe('audit spool', () => {
  it('folds complete lines into the chain, waits for a half-written one, and pins rows to the admitted server', () => {
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = spool.open('ses_1', 'github', 'cursor');
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'a', serverName: 'spoofed' })}\n{"event":"call","decision":"ALLOW","toolName":"b"`);
    spool.ingest();
    expect(rows(db)).toEqual([{ tool_name: 'a', server_name: 'github', session_id: 'ses_1' }]);
    appendFileSync(file, '}\n');
    spool.ingest();
    expect(rows(db).map((r) => r.tool_name)).toEqual(['a', 'b']);
    spool.finish('ses_1');
    expect(existsSync(file)).toBe(false);
    expect(verifyAuditChain(db).ok).toBe(true);
    spool.close();
  });

  it('recovers the rows of sessions an engine left behind when it died', async () => {
    const { dir, db, audit } = fresh();
    const first = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = first.open('ses_2', 'memory', 'claude-code');
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'DENY', toolName: 'x' })}\n`);
    // No ingest, no close: the engine crashed. The next one folds the file in at start.
    const second = createSpool(db, audit, join(dir, 'spool'), 60_000, undefined, 50);
    expect(rows(db)).toEqual([{ tool_name: 'x', server_name: 'memory', session_id: 'ses_2' }]);
    // Its shim did not come back within the grace: retired.
    await vi.waitFor(() => expect(existsSync(file)).toBe(false), { timeout: 10_000 });
    second.close();
  });

  it('a session resumed after the engine restarted goes on in its file, rows written meanwhile included, none twice', () => {
    const { dir, db, audit } = fresh();
    const line = (tool: string) => `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: tool })}\n`;
    const first = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = first.open('ses_r', 'memory', 'claude-code');
    const shimFd = openSync(file, 'a'); // the shim's, as engine-link.ts holds it
    appendFileSync(shimFd, line('before'));
    // The engine crashed; the next one starts and folds the file, and the shim, still running,
    // writes on to its descriptor before it is welcomed back and opens the file again.
    const second = createSpool(db, audit, join(dir, 'spool'), 60_000);
    appendFileSync(shimFd, line('between'));
    closeSync(shimFd);
    expect(second.open('ses_r', 'memory', 'claude-code')).toBe(file);
    appendFileSync(file, line('after'));
    second.finish('ses_r');
    expect(rows(db).map((r) => r.tool_name)).toEqual(['before', 'between', 'after']);
    expect(verifyAuditChain(db).ok).toBe(true);
    second.close();
  });

  it('starts when the database refuses to mark a left-behind session (a full or locked disk), keeping its file', async () => {
    const { dir, db, audit } = fresh();
    const first = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = first.open('ses_full', 'memory', 'claude-code');
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'DENY', toolName: 'x' })}\n`);
    // The engine crashed; the next one starts on a database that cannot take the orphan mark.
    const full = new Proxy(db, {
      get(target, key) {
        if (key !== 'prepare') {
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (sql: string) => {
          if (sql.includes('SET closed = 1')) return { run: () => { throw new Error('database or disk is full'); } };
          return target.prepare(sql);
        };
      },
    });
    const second = createSpool(full, audit, join(dir, 'spool'), 60_000, undefined, 20);
    expect(rows(db)).toEqual([{ tool_name: 'x', server_name: 'memory', session_id: 'ses_full' }]);
    // Not marked as an orphan: not retired, the file and its row wait for the next start.
    await new Promise((r) => setTimeout(r, 60));
    expect(existsSync(file)).toBe(true);
    second.close();
  });

  it('folds a row longer than one read chunk instead of stalling on it', () => {
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = spool.open('ses_big', 'files', 'cursor');
    const reason = 'r'.repeat(1_500_000);
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'DENY', toolName: 'big', reason })}\n${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'after' })}\n`);
    spool.ingest();
    expect(rows(db).map((r) => r.tool_name)).toEqual(['big', 'after']);
    spool.close();
  });

  it('keeps a spool file it could not read rather than retiring its rows unread', () => {
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = spool.open('ses_locked', 'files', 'cursor');
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'kept' })}\n`);
    // Make opening it fail (a link to itself: ELOOP), as EMFILE or EACCES would.
    rmSync(file);
    symlinkSync(file, file);
    expect(() => spool.finish('ses_locked')).toThrow(/ELOOP/);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    rmSync(file);
    spool.close();
  });

  it('records an unreadable line instead of losing the rest', () => {
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = spool.open('ses_3', 's', 'c');
    appendFileSync(file, `not json\n${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'ok' })}\n`);
    spool.ingest();
    const all = db.prepare('SELECT event, tool_name FROM mcp_audit ORDER BY id').all();
    expect(all).toEqual([{ event: 'protocol', tool_name: null }, { event: 'call', tool_name: 'ok' }]);
    spool.close();
  });
});

describe('audit spool, folding on its timer', () => {
  afterEach(() => vi.useRealTimers());
  const count = (db: ReturnType<typeof openDatabase>) => Number((db.prepare('SELECT COUNT(*) AS n FROM mcp_audit').get() as { n: number }).n);
  const backlog = (file: string, n: number) =>
    appendFileSync(file, Array.from({ length: n }, (_, i) => `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: `t${i}`, reason: 'x'.repeat(60) })}\n`).join(''));

  it('folds a backlog in short slices with gaps between them, in order, until all of it is in', () => {
    vi.useFakeTimers();
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 100, { sliceBytes: 1024, sliceGapMs: 5, catchUpBytes: 1 << 20 });
    backlog(spool.open('ses_s', 'files', 'cursor'), 100);
    vi.advanceTimersByTime(100);
    const first = count(db);
    // ~100 bytes a row: one 1 KB slice is a handful of whole rows, not the backlog.
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(15);
    vi.advanceTimersByTime(5);
    expect(count(db)).toBeGreaterThan(first);
    vi.advanceTimersByTime(500);
    expect(count(db)).toBe(100);
    expect(rows(db).map((r) => r.tool_name)).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect(verifyAuditChain(db).ok).toBe(true);
    spool.close();
  });

  it('folds a backlog past the catch-up size in one tick, and ingest() always folds everything', () => {
    vi.useFakeTimers();
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 100, { sliceBytes: 1024, sliceGapMs: 5, catchUpBytes: 4096 });
    const file = spool.open('ses_c', 'files', 'cursor');
    backlog(file, 100);
    vi.advanceTimersByTime(100);
    expect(count(db)).toBe(100);
    backlog(file, 20); // under the catch-up size: the timer would slice it, a query must not wait
    spool.ingest();
    expect(count(db)).toBe(120);
    spool.close();
  });
});

describe('audit spool, one session it cannot read', () => {
  afterEach(() => vi.useRealTimers());

  it('folds every other session on its timer, and ingest() folds them too before it reports the failure', () => {
    vi.useFakeTimers();
    const { dir, db, audit } = fresh();
    const spool = createSpool(db, audit, join(dir, 'spool'), 100);
    const broken = spool.open('ses_broken', 'files', 'cursor');
    const healthy = spool.open('ses_ok', 'memory', 'cursor');
    // Opening it fails (a link to itself: ELOOP), as EACCES or EMFILE would; it is listed first.
    rmSync(broken);
    symlinkSync(broken, broken);
    appendFileSync(healthy, `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'on-time' })}\n`);
    vi.advanceTimersByTime(100);
    expect(rows(db).map((r) => r.tool_name)).toEqual(['on-time']);
    appendFileSync(healthy, `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: 'asked-for' })}\n`);
    expect(() => spool.ingest()).toThrow(/ELOOP/);
    expect(rows(db).map((r) => r.tool_name)).toEqual(['on-time', 'asked-for']);
    rmSync(broken);
    spool.close();
  });
});
