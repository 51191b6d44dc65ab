import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopEngine, writeCall } from '../desktop/desktop-engine.js';

const DENY_FILESYSTEM = `
  - id: deny-filesystem-incident
    match:
      labels:
        mcp.server: filesystem
    decision: DENY
`;

describe('a policy that comes to deny a call while it waits for approval', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('denies it when the answer comes: a rule added meanwhile (an incident) is not overridden by a dialog opened before', async () => {
    ctx = desktopEngine();
    const parked = ctx.engine.gate.decide(writeCall('write_file', { path: '/tmp/a', content: 'x' }), 'claude-code', () => {});
    const [pending] = ctx.engine.approvals.list();
    appendFileSync(ctx.engine.policy.file, DENY_FILESYSTEM);
    expect(ctx.engine.policy.reload()).toBe(true);

    expect(ctx.engine.approvals.answer(pending!.id, 'allow', 'once')).toBe(true);
    const verdict = await parked.verdict;
    expect(verdict).toMatchObject({ decision: 'DENY', ruleId: 'deny-filesystem-incident', approvalId: pending!.id });
    expect(verdict.reason).toMatch(/approved \(once\), but the policy now denies it/);
    const row = ctx.engine.db.prepare('SELECT decision, rule_id FROM mcp_audit WHERE approval_id = ? ORDER BY id DESC LIMIT 1').get(pending!.id);
    expect(row).toMatchObject({ decision: 'DENY', rule_id: 'deny-filesystem-incident' });
  });

  it('still allows an approved call the policy goes on asking about', async () => {
    ctx = desktopEngine();
    const parked = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    ctx.engine.approvals.answer(ctx.engine.approvals.list()[0]!.id, 'allow', 'once');
    expect(await parked.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });
  });
});
