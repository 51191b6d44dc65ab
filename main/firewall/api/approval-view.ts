import type { Approval, ApprovalArguments } from '../../../preload/contract.js';
import type { ApprovalScope, PendingApproval } from '../approvals/approval-queue.js';

const MAX_PREVIEW_CHARS = 2_000;
const MAX_STRING_CHARS = 300;
/**
 * The most of an approval's arguments the dashboard's "Show all" holds: a page stays usable
 * with a few MB of text in one scrolling block, not with the 64 MB a message may carry.
 * Past it the page says how much it leaves out; `approvals show ID` prints all of it.
 */
export const MAX_SHOWN_CHARS = 4_000_000;

export interface ArgumentsPreview {
  text: string;
  /** Whether `text` leaves out anything of the arguments the server is sent. */
  cut: boolean;
  /** Characters of the full text (`argumentsText`). */
  totalChars: number;
}

// Arguments are fixed once a call is parked; the dashboard lists the queue on every change,
// so a 60 MB body is not written out again each time.
const fullTexts = new WeakMap<PendingApproval, string>();

/**
 * All of the arguments, as the approver may read them before allowing: pretty-printed, or,
 * when a number in them did not survive JSON.parse (`argumentsSource`), as the client wrote
 * them: the parsed ones would show 9007199254740992 for the …993 the server is sent.
 */
export function argumentsText(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): string {
  const key = pending as PendingApproval;
  const cached = fullTexts.get(key);
  if (cached !== undefined) return cached;
  const text = pending.argumentsSource ?? JSON.stringify(pending.arguments ?? {}, null, 2) ?? '{}';
  fullTexts.set(key, text);
  return text;
}

/**
 * Arguments as the approver reads them first: long strings cut in the middle of nowhere
 * rather than dropped (the start of a path or a command is what matters), and the whole
 * bounded so a 5 MB write_file body cannot freeze a dialog. `cut` says whether anything was
 * left out: then "Show all" (dashboard) or `approvals show ID` (CLI) shows the rest, and
 * only "once" may be given until someone did (wideScopeRefusal).
 */
export function previewArguments(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): ArgumentsPreview {
  const full = argumentsText(pending);
  let stringsCut = false;
  const shortened = pending.argumentsSource ?? JSON.stringify(
    pending.arguments ?? {},
    (_key, value: unknown) => {
      if (typeof value !== 'string' || value.length <= MAX_STRING_CHARS) return value;
      stringsCut = true;
      return `${value.slice(0, MAX_STRING_CHARS)}… (${value.length} chars)`;
    },
    2,
  ) ?? '{}';
  if (shortened.length > MAX_PREVIEW_CHARS) {
    return { text: `${shortened.slice(0, MAX_PREVIEW_CHARS)}\n… (truncated)`, cut: true, totalChars: full.length };
  }
  return { text: shortened, cut: stringsCut, totalChars: full.length };
}

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
 * Why an answer wider than "once" is refused: the preview left part of the arguments out and
 * nobody has been shown all of them yet. "Always for these arguments" would allow text no one
 * read for good (its grant outlives the engine), and "for this session" would allow it along
 * with every later call of the tool, which nobody is asked about at all. Allowing once stays
 * possible: the person is told the preview is cut and decides for this one call.
 */
export function wideScopeRefusal(pending: PendingApproval, scope: ApprovalScope, shownInFull: boolean): string | null {
  if (scope === 'once' || shownInFull || !previewArguments(pending).cut) return null;
  return `the arguments of ${pending.id} are longer than the preview (${argumentsText(pending).length} characters): `
    + `read all of them first ("Show all" on the dashboard's Approvals page, or \`mcp-firewall approvals show ${pending.id}\`) `
    + `before allowing them ${scope === 'session' ? 'for the session' : 'always'}; "once" allows this call only`;
}
