import { describe, expect, it } from 'vitest';
import { approvalFromHash, pageFromHash } from '../../../renderer/routes.js';

describe('the dashboard address', () => {
  it('opens the Approvals page at one approval, as the native dialog\'s "Show all arguments…" asks', () => {
    expect(pageFromHash('#/approvals/apr_AbC-12_x')).toBe('approvals');
    expect(approvalFromHash('#/approvals/apr_AbC-12_x')).toBe('apr_AbC-12_x');
    expect(approvalFromHash('#/approvals')).toBeNull();
    expect(approvalFromHash('#/activity/apr_x')).toBeNull();
    expect(approvalFromHash('#/approvals/%E0%A4%A')).toBeNull();
    expect(pageFromHash('#/nowhere/apr_x')).toBe('activity');
  });
});
