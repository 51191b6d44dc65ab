import { describe, expect, it } from 'vitest';
import { CONTINUATION_TTL_MS, MAX_CONTINUED_ROUNDS, createContinuations, type Approved } from '../../../main/firewall/proxy/continuations.js';

const approved: Approved = { approvalId: 'apr_1', ruleId: 'require-approval-for-write', escalation: undefined, rounds: 0 };

describe('continuations of approved calls answered input_required', () => {
  it('serves one retry, which echoes the state the server sent', () => {
    const continuations = createContinuations();
    continuations.offer('deploy\u0000d1', approved, 'state-1');
    expect(continuations.take('deploy\u0000d2', 'state-1')).toBeUndefined();
    expect(continuations.take('deploy\u0000d1', 'state-1')).toMatchObject({ approvalId: 'apr_1', rounds: 1 });
    expect(continuations.take('deploy\u0000d1', 'state-1')).toBeUndefined();
  });

  it('is spent by a retry with other state, so the right one asks too', () => {
    const continuations = createContinuations();
    continuations.offer('k', approved, 'state-1');
    expect(continuations.take('k', 'forged')).toBeUndefined();
    expect(continuations.take('k', 'state-1')).toBeUndefined();
  });

  it('binds the state exactly: none matches only none, and state that is not a string by its JSON text', () => {
    const continuations = createContinuations();
    continuations.offer('k', approved, undefined);
    expect(continuations.take('k', 'made-up')).toBeUndefined();
    continuations.offer('k', approved, undefined);
    expect(continuations.take('k', undefined)).toBeDefined();
    continuations.offer('k', approved, { step: 2 });
    expect(continuations.take('k', { step: 3 })).toBeUndefined();
    continuations.offer('k', approved, { step: 2 });
    expect(continuations.take('k', 'anything')).toBeUndefined();
    continuations.offer('k', approved, { step: 2 });
    expect(continuations.take('k', undefined)).toBeUndefined();
    continuations.offer('k', approved, { step: 2 });
    expect(continuations.take('k', { step: 2 })).toBeDefined();
    continuations.offer('k', approved, 'state-1');
    expect(continuations.take('k', undefined)).toBeUndefined();
  });

  it('expires, and carries one approval through a bounded number of rounds', () => {
    let now = 0;
    const continuations = createContinuations(() => now);
    continuations.offer('k', approved, undefined);
    now += CONTINUATION_TTL_MS + 1;
    expect(continuations.take('k', undefined)).toBeUndefined();
    let current: Approved | undefined = approved;
    let rounds = 0;
    while (current) {
      continuations.offer('k', current, undefined);
      current = continuations.take('k', undefined);
      if (current) rounds += 1;
    }
    expect(rounds).toBe(MAX_CONTINUED_ROUNDS);
  });

  it('keeps a bounded number at once, the oldest going first', () => {
    const continuations = createContinuations();
    for (let i = 0; i < 100; i++) continuations.offer(`k${i}`, approved, undefined);
    expect(continuations.take('k0', undefined)).toBeUndefined();
    expect(continuations.take('k99', undefined)).toBeDefined();
  });
});
