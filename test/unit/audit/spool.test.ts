import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, lstatSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
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

  it('recovers the rows of sessions an engine left behind when it died', () => {
    const { dir, db, audit } = fresh();
    const first = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = first.open('ses_2', 'memory', 'claude-code');
    appendFileSync(file, `${JSON.stringify({ event: 'call', decision: 'DENY', toolName: 'x' })}\n`);
    // No ingest, no close: the engine crashed. The next one folds the file in at start.
    const second = createSpool(db, audit, join(dir, 'spool'), 60_000);
    expect(rows(db)).toEqual([{ tool_name: 'x', server_name: 'memory', session_id: 'ses_2' }]);
    expect(existsSync(file)).toBe(false);
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
