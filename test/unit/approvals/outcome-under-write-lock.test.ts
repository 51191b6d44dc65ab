import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlApi } from '../../../main/firewall/api/control-api.js';
import { ApprovalNotRecordedError } from '../../../main/firewall/approvals/approval-queue.js';
import { verifyAuditChain } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { askAboutWrite, engineWithDefaultPolicy, WRITE_CALL } from '../../helpers/engine-asking.js';

// Another process (a CLI command beside the engine) holds the store's write lock past
// busy_timeout while someone answers an approval: the answer, and the audit row of the call,
// cannot be written then. The call is denied (fail closed); this is about what is left behind.

const dirs: string[] = [];
const open: Array<{ close(): void }> = [];
afterEach(() => {
  open.splice(0).reverse().forEach((o) => o.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const LOCKED = "the approval's outcome could not be recorded: database is locked";

/** An engine whose writes give up on a held lock after 50 ms instead of 5 s, with its shim's session 's1' spooling. */
function lockableEngine(dir = mkdtempSync(join(tmpdir(), 'mcpfw-outcome-lock-'))): { dir: string; engine: Engine } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const engine = engineWithDefaultPolicy(dir);
  open.push(engine);
  engine.db.exec('PRAGMA busy_timeout = 50');
  engine.spool.open(WRITE_CALL.sessionId, WRITE_CALL.server, WRITE_CALL.client);
  return { dir, engine };
}

/** Takes the write lock on another connection, as a second process would; release() lets go. */
function holdWriteLock(dir: string): { release(): void } {
  const other = new DatabaseSync(join(dir, 'firewall.db'));
  other.exec('BEGIN IMMEDIATE');
  return {
    release() {
      other.exec('COMMIT');
      other.close();
    },
  };
}

const statusOf = (engine: Engine, id: string) => engine.db.prepare('SELECT status, scope FROM approvals WHERE id = ?').get(id);

describe('an approval answered while another process holds the write lock', () => {
  it('tells the approver the call was denied, not allowed, and offers it no more', async () => {
    const { dir, engine } = lockableEngine();
    const { asked, pending } = askAboutWrite(engine);
    const lock = holdWriteLock(dir);
    expect(() => engine.approvals.answer(pending.id, 'allow', 'once')).toThrow(new ApprovalNotRecordedError('allow', LOCKED));
    expect(await asked.verdict).toMatchObject({ decision: 'DENY', approvalId: pending.id, reason: LOCKED });
    lock.release();
    expect(engine.approvals.list()).toEqual([]);
    // Answered again, once the store takes writes: nothing is waiting, nothing is allowed.
    expect(engine.approvals.answer(pending.id, 'allow', 'always')).toBe(false);
    expect(engine.approvals.findGrant('s1', WRITE_CALL.server, WRITE_CALL.tool, WRITE_CALL.argsDigest)).toBeNull();
  });

  it('says so to a deny too: the call was denied, but the answer is not in the store', () => {
    const { dir, engine } = lockableEngine();
    const { pending } = askAboutWrite(engine);
    const lock = holdWriteLock(dir);
    expect(() => engine.approvals.answer(pending.id, 'deny')).toThrow(`the call was denied, but ${LOCKED}`);
    lock.release();
  });

  it('audits why the call was denied: the row waits in the session spool and is folded in once the lock is gone', async () => {
    const { dir, engine } = lockableEngine();
    const { asked, pending } = askAboutWrite(engine);
    const lock = holdWriteLock(dir);
    expect(() => engine.approvals.answer(pending.id, 'allow', 'once')).toThrow(ApprovalNotRecordedError);
    expect(await asked.verdict).toMatchObject({ decision: 'DENY', reason: LOCKED });
    lock.release();
    engine.spool.ingest();
    const rows = engine.db.prepare('SELECT decision, reason, server_name, tool_name FROM mcp_audit WHERE approval_id = ?').all(pending.id);
    expect(rows).toEqual([{ decision: 'DENY', reason: LOCKED, server_name: WRITE_CALL.server, tool_name: WRITE_CALL.tool }]);
    expect(verifyAuditChain(engine.db).ok).toBe(true);
  });

  it('marks its row failed once the store takes writes again, and a restart neither revives nor allows it', () => {
    const { dir, engine } = lockableEngine();
    const { pending } = askAboutWrite(engine);
    const lock = holdWriteLock(dir);
    expect(() => engine.approvals.answer(pending.id, 'allow', 'always')).toThrow(ApprovalNotRecordedError);
    lock.release();
    // The next write the queue makes (the client's retry is asked about) marks it.
    engine.gate.decide({ ...WRITE_CALL, requestId: '8' }, 'me@cursor', () => {});
    expect(statusOf(engine, pending.id)).toEqual({ status: 'failed', scope: null });
    engine.close();
    open.splice(0);
    const restarted = lockableEngine(dir).engine;
    expect(statusOf(restarted, pending.id)).toEqual({ status: 'failed', scope: null });
    expect(restarted.approvals.list()).toEqual([]);
    expect(restarted.approvals.answer(pending.id, 'allow', 'always')).toBe(false);
    expect(restarted.db.prepare('SELECT count(*) AS n FROM approval_grants').get()).toEqual({ n: 0 });
  });

  it('marks its row failed when the engine stops, if nothing was written after it', () => {
    const { dir, engine } = lockableEngine();
    const { pending } = askAboutWrite(engine);
    const lock = holdWriteLock(dir);
    expect(() => engine.approvals.answer(pending.id, 'allow', 'once')).toThrow(ApprovalNotRecordedError);
    lock.release();
    expect(statusOf(engine, pending.id)).toEqual({ status: 'pending', scope: null });
    engine.close();
    open.splice(0);
    const db = new DatabaseSync(join(dir, 'firewall.db'));
    expect(db.prepare('SELECT status FROM approvals WHERE id = ?').get(pending.id)).toEqual({ status: 'failed' });
    db.close();
  });

  it('answers `approvals allow` over the control API with the error, not "allowed"', async () => {
    const { dir, engine } = lockableEngine();
    const api = await startControlApi(engine, { port: 0, token: 'test-token', dashboard: false });
    try {
      const { pending } = askAboutWrite(engine);
      const lock = holdWriteLock(dir);
      const response = await fetch(`http://127.0.0.1:${api.port}/api/approvals/${pending.id}/allow`, {
        method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'once' }),
      });
      lock.release();
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 500, body: { error: `the call was denied, not allowed: ${LOCKED}` } });
    } finally {
      await api.close();
    }
  });
});
