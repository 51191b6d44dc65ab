import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalNotRecordedError, createApprovalQueue, type ApprovalOutcome } from '../../../main/firewall/approvals/approval-queue.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { askAboutWrite, engineWithDefaultPolicy, WRITE_CALL } from '../../helpers/engine-asking.js';

// A store that refuses to write an approval's outcome (a full disk, an I/O error) must not
// leave the parked call without an answer: it is denied, with the reason, at once.

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-settle-fails-'));
  dirs.push(dir);
  return dir;
}

/** Every later write of an approval's outcome fails, as a full disk would fail it. */
function failOutcomeWrites(db: DatabaseSync): void {
  db.exec("CREATE TRIGGER fail_outcome BEFORE UPDATE ON approvals BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
}

/** The promise's value, or 'still waiting' if it has none within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);
}

const ask = { sessionId: 's1', client: 'cursor', server: 'fs', method: 'tools/call', tool: 'write_file', actionClass: 'write', argsDigest: 'd1', arguments: {}, ruleId: null, reason: 'write' };

describe('an approval whose outcome cannot be written', () => {
  it('denies the allowed call with the store’s reason and audits the denial, instead of leaving it waiting', async () => {
    const dir = freshDir();
    const engine = engineWithDefaultPolicy(dir);
    try {
      const { asked, pending } = askAboutWrite(engine);
      failOutcomeWrites(engine.db);
      expect(() => engine.approvals.answer(pending.id, 'allow', 'once')).toThrow(ApprovalNotRecordedError);
      const verdict = await within(asked.verdict, 2000);
      expect(verdict).toMatchObject({ decision: 'DENY', approvalId: pending.id, reason: "the approval's outcome could not be recorded: database or disk is full" });
      expect(engine.approvals.list()).toEqual([]);
      const rows = engine.db.prepare('SELECT decision, reason FROM mcp_audit WHERE approval_id = ?').all(pending.id);
      expect(rows).toEqual([{ decision: 'DENY', reason: "the approval's outcome could not be recorded: database or disk is full" }]);
    } finally {
      engine.close();
    }
  });

  for (const scope of ['session', 'always'] as const) {
    it(`keeps no "${scope}" grant for the denied call: the client's retry of it waits for an answer again`, async () => {
      const dir = freshDir();
      const engine = engineWithDefaultPolicy(dir);
      try {
        const { asked, pending } = askAboutWrite(engine);
        failOutcomeWrites(engine.db);
        expect(() => engine.approvals.answer(pending.id, 'allow', scope)).toThrow(ApprovalNotRecordedError);
        expect(await within(asked.verdict, 2000)).toMatchObject({ decision: 'DENY', reason: expect.stringContaining('could not be recorded') });
        expect(engine.approvals.findGrant('s1', 'memory', 'create_entities', 'sha256:d1')).toBeNull();
        expect(engine.db.prepare('SELECT count(*) AS n FROM approval_grants').get()).toEqual({ n: 0 });
        // The retry of the same call is asked about again, not allowed "covered by an earlier approval".
        const retry = engine.gate.decide({ ...WRITE_CALL, requestId: '8' }, 'me@cursor', () => {});
        expect(await within(retry.verdict, 200)).toBe('still waiting');
        expect(engine.approvals.list()).toHaveLength(1);
      } finally {
        engine.close();
      }
    });
  }

  it('writes an "always" allow and its grant together: a grant the store refuses denies the call and leaves no allow', async () => {
    const db = openDatabase(join(freshDir(), 'firewall.db'));
    const approvals = createApprovalQueue(db);
    const asked = approvals.request(ask, 60_000);
    db.exec("CREATE TRIGGER fail_grant BEFORE INSERT ON approval_grants BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
    expect(() => approvals.answer(asked.id, 'allow', 'always')).toThrow(ApprovalNotRecordedError);
    expect(await within(asked.outcome, 2000)).toEqual({ status: 'failed', approvalId: asked.id, reason: "the approval's outcome could not be recorded: database or disk is full" });
    // Rolled back with the grant: the row does not read 'allowed' (it is marked 'failed' by the queue's next write that succeeds).
    expect(db.prepare('SELECT status FROM approvals WHERE id = ?').get(asked.id)).toEqual({ status: 'pending' });
    expect(approvals.findGrant('s1', 'fs', 'write_file', 'd1')).toBeNull();
    db.close();
  });

  it('settles a call that times out and every call close() withdraws, without throwing from the timer', async () => {
    const db = openDatabase(join(freshDir(), 'firewall.db'));
    const approvals = createApprovalQueue(db);
    const timesOut = approvals.request(ask, 50);
    const first = approvals.request({ ...ask, argsDigest: 'd2' }, 60_000);
    const second = approvals.request({ ...ask, argsDigest: 'd3' }, 60_000);
    const heard: ApprovalOutcome[] = [];
    const withdrawn = approvals.request({ ...ask, argsDigest: 'd4' }, 60_000, (outcome) => heard.push(outcome));
    failOutcomeWrites(db);
    const failed = (approvalId: string) => ({ status: 'failed', approvalId, reason: "the approval's outcome could not be recorded: database or disk is full" });
    expect(await within(timesOut.outcome, 2000)).toEqual(failed(timesOut.id));
    approvals.close();
    expect(await within(first.outcome, 2000)).toEqual(failed(first.id));
    expect(await within(second.outcome, 2000)).toEqual(failed(second.id));
    expect(await within(withdrawn.outcome, 2000)).toEqual(failed(withdrawn.id));
    expect(heard).toEqual([failed(withdrawn.id)]);
    db.close();
  });
});
