import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalQueue } from '../../../main/firewall/approvals/approval-queue.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function queue() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-grants-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  return { db, approvals: createApprovalQueue(db) };
}

const ask = (sessionId: string, server: string) => ({
  sessionId, client: 'cursor', server, method: 'tools/call', tool: 'update_contact', actionClass: 'write', argsDigest: 'd1', arguments: {}, ruleId: null, reason: 'write',
});

describe('forgetGrants (containment)', () => {
  it('forgets a session grant whatever the session id holds, and leaves other servers alone', () => {
    const { db, approvals } = queue();
    // A session id with the key's separator in it must not hide the grant's server.
    const odd = approvals.request(ask('s\u0000other', 'crm'), 60_000);
    approvals.answer(odd.id, 'allow', 'session');
    const kept = approvals.request(ask('s2', 'mail'), 60_000);
    approvals.answer(kept.id, 'allow', 'always');
    expect(approvals.findGrant('s\u0000other', 'crm', 'update_contact', 'd1')).toBe(odd.id);

    expect(approvals.forgetGrants('crm')).toBe(1);
    expect(approvals.findGrant('s\u0000other', 'crm', 'update_contact', 'd1')).toBeNull();
    expect(approvals.findGrant('s2', 'mail', 'update_contact', 'd1')).toBe(kept.id);
    approvals.close();
    db.close();
  });
});
