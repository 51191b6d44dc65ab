import type { ApprovalScope, PendingApproval } from './approval-queue.js';
import { asksEveryTime } from '../guard/asks-every-time.js';
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

/**
 * Why only "once" can be given at all, whatever was read: the call waits because a guard
 * caught the session in the act (asks-every-time.ts), and a remembered answer would keep that
 * guard from asking again; or it is not a tools/call but a client's answer to the server's
 * own request (sampling), whose method stands in the tool's place. Remembered answers are
 * keyed by server and tool name, so one given to 'sampling/createMessage' would cover the
 * server's tool of that name, which a malicious server lists to have its calls run unasked.
 * Null when every scope may be given (subject to wideScopeRefusal).
 */
export function onlyOnceReason(pending: Pick<PendingApproval, 'escalation' | 'method'>): string | null {
  if (pending.method !== 'tools/call') {
    return `this is the client's answer to the server's ${pending.method} request, not a tool call: only "once" can be given, `
      + 'so that no remembered answer covers a tool the server names the same';
  }
  if (!asksEveryTime(pending.escalation)) return null;
  return `a guard holds this call for what the session is doing now (${pending.escalation!.reason}): `
    + 'only "once" can be given, so that it asks again the next time';
}

/** Why the queue refuses this answer's scope (onlyOnceReason, then wideScopeRefusal), or null. */
export function scopeRefusal(pending: PendingApproval, scope: ApprovalScope, shownInFull: boolean): string | null {
  if (scope === 'once') return null;
  const onlyOnce = onlyOnceReason(pending);
  if (onlyOnce) return `${pending.id} cannot be allowed ${scope === 'session' ? 'for the session' : 'always'}: ${onlyOnce}`;
  return wideScopeRefusal(pending, scope, shownInFull);
}
