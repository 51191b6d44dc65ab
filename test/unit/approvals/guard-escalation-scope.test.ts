import { afterEach, describe, expect, it } from 'vitest';
import { WideScopeRefusedError } from '../../../main/firewall/approvals/approval-queue.js';
import { desktopEngine, writeCall } from '../desktop/desktop-engine.js';
import { waitFor } from '../../helpers/engine-harness.js';

const fanOut = { ruleId: 'guard-fan-out', reason: '121 calls within a minute (limit 120)' };

describe('a call a guard holds for what the session is doing now accepts only "once"', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('refuses "session" and "always" whoever answers, so no remembered answer silences the guard; "once" and deny stay', async () => {
    ctx = desktopEngine();
    const call = { ...writeCall('write_file', { path: '/tmp/a.txt', content: 'x' }), escalation: fanOut };
    const decision = ctx.engine.gate.decide(call, 'claude-code', () => {});
    const [pending] = ctx.engine.approvals.list();
    for (const scope of ['session', 'always'] as const) {
      expect(() => ctx.engine.approvals.answer(pending!.id, 'allow', scope)).toThrow(WideScopeRefusedError);
      expect(() => ctx.engine.approvals.answer(pending!.id, 'allow', scope)).toThrow(/only "once" can be given/);
      await expect(ctx.service.answerApproval({ id: pending!.id, verdict: 'allow', scope })).rejects.toThrow(/121 calls within a minute/);
    }
    // Still parked, nothing remembered.
    expect(ctx.engine.approvals.list().map((p) => p.id)).toEqual([pending!.id]);
    expect(ctx.engine.approvals.findGrant(null, call.server, call.tool, call.argsDigest)).toBeNull();
    expect((await ctx.service.approvals())[0]!.onlyOnce).toMatch(/what the session is doing now \(121 calls/);
    expect(ctx.engine.approvals.answer(pending!.id, 'allow', 'once')).toBe(true);
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });

    // The next crossing asks a person again.
    ctx.engine.gate.decide({ ...call, requestId: 'again' }, 'claude-code', () => {});
    await waitFor(() => ctx.engine.approvals.list().length === 1, 'a new approval');
  });

  it('asks even when an "always" answer for the same arguments was given before, outside the guard', async () => {
    ctx = desktopEngine();
    const call = writeCall('write_file', { path: '/tmp/b.txt', content: 'y' });
    const calm = ctx.engine.gate.decide(call, 'claude-code', () => {});
    ctx.engine.approvals.answer(ctx.engine.approvals.list()[0]!.id, 'allow', 'always');
    expect(await calm.verdict).toMatchObject({ decision: 'ALLOW' });
    expect(await ctx.engine.gate.decide({ ...call, requestId: 'plain' }, 'claude-code', () => {}).verdict).toMatchObject({ reason: 'covered by an earlier approval' });

    const burst = ctx.engine.gate.decide({ ...call, requestId: 'burst', escalation: { ruleId: 'guard-chain-depth', reason: 'chain depth 31' } }, 'claude-code', () => {});
    expect(ctx.engine.approvals.list()).toHaveLength(1);
    burst.cancel();
    expect(await burst.verdict).toMatchObject({ decision: 'DENY' });
  });

  it('keeps "always" for text from an untrusted tool: that finding is about the arguments themselves', async () => {
    ctx = desktopEngine();
    const call = { ...writeCall(), escalation: { ruleId: 'taint-untrusted-text', reason: "its arguments carry text returned by the untrusted tool 'fetch'" } };
    const decision = ctx.engine.gate.decide(call, 'claude-code', () => {});
    const [pending] = ctx.engine.approvals.list();
    expect((await ctx.service.approvals())[0]!.onlyOnce).toBeNull();
    expect(ctx.engine.approvals.answer(pending!.id, 'allow', 'always')).toBe(true);
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (always)' });
  });
});
