import { describe, expect, it } from 'vitest';
import { escalatedVerdict } from '../../../main/firewall/policy/effective-verdict.js';

const taint = { ruleId: 'taint-untrusted-text', reason: "its arguments carry text returned by the untrusted tool 'fetch_page'" };

describe('a guard, taint or DLP finding on top of the policy verdict', () => {
  it('makes an allowed call wait, under the finding', () => {
    expect(escalatedVerdict({ decision: 'ALLOW', ruleId: null, reason: 'no rule matched' }, taint)).toEqual({ decision: 'REQUIRE_APPROVAL', ...taint });
  });
  it("keeps the policy's rule first when it asks anyway, so the scope-mismatch gate still counts the call", () => {
    const asked = escalatedVerdict({ decision: 'REQUIRE_APPROVAL', ruleId: 'ro-writes', reason: 'scope mismatch: a read_only principal attempted a write action' }, taint);
    expect(asked).toEqual({ decision: 'REQUIRE_APPROVAL', ruleId: 'ro-writes', reason: `scope mismatch: a read_only principal attempted a write action; ${taint.reason}` });
  });
  it('leaves a denial alone', () => {
    const denied = { decision: 'DENY' as const, ruleId: 'no-deletes', reason: 'rule matched' };
    expect(escalatedVerdict(denied, taint)).toBe(denied);
  });
});
