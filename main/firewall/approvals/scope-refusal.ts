import type { ApprovalScope, PendingApproval } from './approval-queue.js';
import { previewArguments } from './arguments-preview.js';

/**
 * Why an answer wider than "once" is refused: the preview left part of the arguments out and
 * nobody has been shown all of them yet. "Always for these arguments" would allow text no one
 * read for good (its grant outlives the engine), and "for this session" would allow it along
 * with every later call of the tool, which nobody is asked about at all. Allowing once stays
 * possible: the person is told the preview is cut and decides for this one call.
 */
export function wideScopeRefusal(pending: PendingApproval, scope: ApprovalScope, shownInFull: boolean): string | null {
  if (scope === 'once' || shownInFull || !previewArguments(pending).cut) return null;
  return `the arguments of ${pending.id} are longer than the preview (${previewArguments(pending).totalChars} characters): `
    + `read all of them first ("Show all" on the dashboard's Approvals page, or \`mcp-firewall approvals show ${pending.id}\`) `
    + `before allowing them ${scope === 'session' ? 'for the session' : 'always'}; "once" allows this call only`;
}
