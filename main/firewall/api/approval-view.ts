import type { Approval } from '../../../preload/contract.js';
import type { PendingApproval } from '../approvals/approval-queue.js';

const MAX_PREVIEW_CHARS = 2_000;
const MAX_STRING_CHARS = 300;

/**
 * Arguments as the approver reads them: pretty-printed, long strings cut in the middle
 * of nowhere rather than dropped (the start of a path or a command is what matters),
 * and the whole bounded so a 5 MB write_file body cannot freeze a dialog. Arguments holding a
 * number JSON.parse rounded (`source`) are shown as the client wrote them: the parsed ones
 * would show 9007199254740992 for the …993 the server is sent.
 */
export function previewArguments(args: unknown, source?: string): string {
  const shortened = source ?? JSON.stringify(
    args ?? {},
    (_key, value: unknown) => (typeof value === 'string' && value.length > MAX_STRING_CHARS
      ? `${value.slice(0, MAX_STRING_CHARS)}… (${value.length} chars)`
      : value),
    2,
  ) ?? '{}';
  return shortened.length > MAX_PREVIEW_CHARS ? `${shortened.slice(0, MAX_PREVIEW_CHARS)}\n… (truncated)` : shortened;
}

export function toApprovalView(pending: PendingApproval): Approval {
  return {
    id: pending.id,
    client: pending.client,
    server: pending.server,
    tool: pending.tool,
    actionClass: pending.actionClass,
    ruleId: pending.ruleId,
    reason: pending.reason,
    argsDigest: pending.argsDigest,
    argumentsPreview: previewArguments(pending.arguments, pending.argumentsSource),
    requestedAt: pending.requestedAt,
    expiresAt: pending.expiresAt,
  };
}
