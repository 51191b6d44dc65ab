import { afterEach, describe, expect, it } from 'vitest';
import { pausedVerdict } from '../../../main/firewall/policy/pause.js';
import { desktopEngine, writeCall } from '../desktop/desktop-engine.js';

const inAnHour = () => new Date(Date.now() + 60 * 60_000).toISOString();
const dlp = { ruleId: 'dlp-arguments', reason: 'its arguments carry a GitHub token' };

describe('a pause silences the routine asks of the policy only, not a finding about the call', () => {
  it('lets a rule\'s ask through but keeps the ask of a call a guard, taint or DLP finding escalated', () => {
    const routine = { decision: 'REQUIRE_APPROVAL' as const, ruleId: 'ask-for-writes', reason: 'writes need a person' };
    expect(pausedVerdict(routine, inAnHour(), false, undefined)).toMatchObject({ decision: 'ALLOW', ruleId: 'protection-paused' });
    expect(pausedVerdict({ ...routine, ruleId: dlp.ruleId, reason: dlp.reason }, inAnHour(), false, dlp)).toMatchObject({ decision: 'REQUIRE_APPROVAL', ruleId: 'dlp-arguments' });
  });

  describe('in the engine\'s call gate', () => {
    let ctx: ReturnType<typeof desktopEngine>;
    afterEach(() => ctx?.dispose());

    it('asks a person for a write whose arguments carry a secret while protection is paused', async () => {
      ctx = desktopEngine();
      ctx.engine.pauseProtection(10, 'test');
      // A routine write (the default policy asks for writes) goes through unasked, as the pause promises.
      expect(await ctx.engine.gate.decide(writeCall(), 'claude-code', () => {}).verdict).toMatchObject({ decision: 'ALLOW', ruleId: 'protection-paused' });
      expect(ctx.engine.approvals.list()).toHaveLength(0);

      const leaking = ctx.engine.gate.decide({ ...writeCall(), escalation: dlp }, 'claude-code', () => {});
      const [pending] = ctx.engine.approvals.list();
      expect(pending).toMatchObject({ reason: expect.stringContaining('GitHub token') });
      ctx.engine.approvals.answer(pending!.id, 'deny', 'once');
      expect(await leaking.verdict).toMatchObject({ decision: 'DENY', reason: 'denied by the approver' });
    });
  });
});
