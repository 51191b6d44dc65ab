import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalQueue, type ApprovalScope } from '../../../main/firewall/approvals/approval-queue.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function queue() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-inputs-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  return { db, approvals: createApprovalQueue(db) };
}

const ask = { sessionId: 's1', client: 'cursor', server: 'fs', method: 'tools/call', tool: 'write_file', actionClass: 'write', argsDigest: 'd1', arguments: {}, ruleId: null, reason: 'write' };

// The queue is the last word on an answer; every caller validates today, but a new one
// that passes its input through unchecked must get a deny, never an allow.
describe('the queue reads an answer it does not know as no allow', () => {
  it('denies on a verdict other than "allow"', async () => {
    const { db, approvals } = queue();
    const parked = approvals.request(ask, 60_000);
    expect(approvals.answer(parked.id, 'approve' as 'allow', 'once')).toBe(true);
    expect(await parked.outcome).toEqual({ status: 'denied', approvalId: parked.id });
    db.close();
  });

  it('refuses a scope it does not know, and leaves the call waiting', () => {
    const { db, approvals } = queue();
    const parked = approvals.request(ask, 60_000);
    expect(() => approvals.answer(parked.id, 'allow', 'forever' as ApprovalScope)).toThrow(/scope must be one of once, session, always/);
    expect(approvals.list().map((p) => p.id)).toEqual([parked.id]);
    approvals.close();
    db.close();
  });
});
