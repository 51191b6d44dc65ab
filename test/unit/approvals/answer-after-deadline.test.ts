import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApprovalQueue } from '../../../main/firewall/approvals/approval-queue.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const ask = { sessionId: 's1', client: 'cursor', server: 'fs', method: 'tools/call', tool: 'write_file', actionClass: 'write', argsDigest: 'd1', arguments: {}, ruleId: null, reason: 'write' };

describe('an answer that comes after the approval expired', () => {
  it('is refused and the call times out, even when the timeout timer has not run yet (a busy event loop)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-deadline-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    const approvals = createApprovalQueue(db);
    // Only the clock is faked: the real 1 s timer cannot fire before the answer below.
    vi.useFakeTimers({ toFake: ['Date'] });
    const parked = approvals.request(ask, 1_000);
    vi.setSystemTime(Date.now() + 1_500);
    expect(approvals.answer(parked.id, 'allow', 'always')).toBe(false);
    expect(await parked.outcome).toEqual({ status: 'timeout', approvalId: parked.id });
    expect(approvals.findGrant(null, 'fs', 'write_file', 'd1')).toBeNull();
    expect(db.prepare('SELECT status FROM approvals WHERE id = ?').get(parked.id)).toMatchObject({ status: 'timeout' });
    approvals.close();
    db.close();
  });
});
