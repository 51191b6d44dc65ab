import type { Approval, ApprovalArguments } from '../../../preload/contract.js';
import type { ApprovalQueue, PendingApproval } from '../approvals/approval-queue.js';
import { argumentsText, previewArguments } from '../approvals/arguments-preview.js';
import { onlyOnceReason } from '../approvals/scope-refusal.js';

/**
 * The most of an approval's arguments the dashboard's "Show all" holds: a page stays usable
 * with a few MB of text in one scrolling block, not with the 64 MB a message may carry.
 * Past it the page says how much it leaves out; `approvals show ID` prints all of it.
 */
export const MAX_SHOWN_CHARS = 4_000_000;

export function toApprovalView(pending: PendingApproval): Approval {
  const preview = previewArguments(pending);
  return {
    id: pending.id,
    client: pending.client,
    server: pending.server,
    tool: pending.tool,
    actionClass: pending.actionClass,
    ruleId: pending.ruleId,
    reason: pending.reason,
    argsDigest: pending.argsDigest,
    argumentsPreview: preview.text,
    argumentsCut: preview.cut,
    argumentsChars: preview.totalChars,
    onlyOnce: onlyOnceReason(pending),
    requestedAt: pending.requestedAt,
    expiresAt: pending.expiresAt,
  };
}

/** The arguments for "Show all": whole up to `max` characters, else their start and how much is left out. */
export function fullArgumentsView(pending: PendingApproval, max = MAX_SHOWN_CHARS): ApprovalArguments {
  const full = argumentsText(pending);
  if (full.length <= max) return { id: pending.id, text: full, totalChars: full.length, notShown: 0 };
  // Never half a surrogate pair at the cut: it would show as a replacement character.
  const end = /[\ud800-\udbff]/.test(full.charAt(max - 1)) ? max - 1 : max;
  return { id: pending.id, text: full.slice(0, end), totalChars: full.length, notShown: full.length - end };
}

/**
 * What the dashboard's "Show all" and `approvals show` both do: find the waiting call, give
 * its arguments (whole up to `max`), and count them as read only when every character was
 * given; that is what lets "session" or "always" through (wideScopeRefusal). Undefined when
 * no such call waits.
 */
export function revealArguments(
  approvals: ApprovalQueue,
  id: string,
  max = MAX_SHOWN_CHARS,
): { pending: PendingApproval; shown: ApprovalArguments } | undefined {
  const pending = approvals.list().find((p) => p.id === id);
  if (!pending) return undefined;
  const shown = fullArgumentsView(pending, max);
  if (shown.notShown === 0) approvals.noteShownInFull(id);
  return { pending, shown };
}
