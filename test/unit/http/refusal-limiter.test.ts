import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { createRefusalLimiter } from '../../../main/firewall/http/refusal-limiter.js';

afterEach(() => vi.useRealTimers());

const refusal = (name: string): AuditEntry => ({ event: 'registry', decision: 'DENY', ruleId: 'registry-shadow', serverName: name, reason: 'not approved' });

describe('refusals anyone can cause, audited', () => {
  it('one by one up to the limit, then the rest of the minute as one DENY row, and one by one again after', () => {
    vi.useFakeTimers();
    const rows: AuditEntry[] = [];
    const limiter = createRefusalLimiter((e) => rows.push(e), 3, 60_000);
    for (let i = 0; i < 10; i++) limiter.record(refusal(`x${i}`));
    expect(rows.map((r) => r.serverName)).toEqual(['x0', 'x1', 'x2']);
    vi.advanceTimersByTime(60_000);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ decision: 'DENY', ruleId: 'registry-shadow', serverName: null, reason: expect.stringMatching(/^7 more requests .* the first was for 'x3'/) });
    limiter.record(refusal('y'));
    expect(rows.at(-1)!.serverName).toBe('y');
    limiter.close();
  });
});
