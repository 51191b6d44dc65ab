import { describe, expect, it } from 'vitest';
import { toApprovalView } from '../../../main/firewall/api/approval-view.js';
import type { PendingApproval } from '../../../main/firewall/approvals/approval-queue.js';

const pending = (fields: Partial<PendingApproval>): PendingApproval => ({
  id: 'apr_1', sessionId: 's1', client: 'cursor', server: 'bank', tool: 'transfer', actionClass: 'write', argsDigest: 'sha256:x',
  arguments: {}, ruleId: 'ask-for-writes', reason: 'writes wait', requestedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-01-01T00:02:00.000Z',
  ...fields,
});

describe('the arguments an approver reads', () => {
  it('shows a number beyond 2^53 as the client wrote it (the dashboard and the dialog alike)', () => {
    const source = '{"to_account":9007199254740993,"amount":5}';
    const view = toApprovalView(pending({ arguments: JSON.parse(source) as unknown, argumentsSource: source }));
    expect(view.argumentsPreview).toContain('9007199254740993');
    expect(view.argumentsPreview).not.toContain('9007199254740992');
  });

  it('pretty-prints arguments JSON.parse kept exactly', () => {
    expect(toApprovalView(pending({ arguments: { amount: 5 } })).argumentsPreview).toBe('{\n  "amount": 5\n}');
  });
});
