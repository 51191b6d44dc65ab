import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import { ApprovalNotRecordedError, type ApprovalQueue, type ApprovalScope, type PendingApproval } from '../../firewall/approvals/approval-queue.js';
import { previewArguments } from '../../firewall/approvals/arguments-preview.js';
import { onlyOnceReason } from '../../firewall/approvals/scope-refusal.js';
import { makeVisible, oneLineName, reasonLacksRule } from '../../../preload/visible-text.js';

/** dialog.showMessageBox, injected so the prompter runs (and is tested) outside Electron. */
export type ShowMessageBox = (options: MessageBoxOptions) => Promise<MessageBoxReturnValue>;

/** The same four answers as the dashboard, in the same order; Deny last, default and cancel. */
export const PROMPT_BUTTONS = ['Allow once', 'Allow for this session', 'Always for these arguments', 'Deny'] as const;
/**
 * When the preview leaves part of the arguments out. A message box cannot hold a 5 MB body,
 * so the rest is read in the dashboard (or with `approvals show`); until someone has, the
 * engine refuses the wider scopes (wideScopeRefusal), and the dialog does not offer them.
 */
export const CUT_PROMPT_BUTTONS = ['Allow once', 'Show all arguments…', 'Deny'] as const;
/** When a guard holds the call (fan-out, chain depth), or it is a client's answer to a server's request (sampling): the engine refuses a remembered answer (onlyOnceReason). */
export const ONCE_PROMPT_BUTTONS = ['Allow once', 'Deny'] as const;

type Answer = { verdict: 'allow'; scope: ApprovalScope } | { verdict: 'deny' } | { verdict: 'show' };
const FULL_ANSWERS: Answer[] = [{ verdict: 'allow', scope: 'once' }, { verdict: 'allow', scope: 'session' }, { verdict: 'allow', scope: 'always' }, { verdict: 'deny' }];
const CUT_ANSWERS: Answer[] = [{ verdict: 'allow', scope: 'once' }, { verdict: 'show' }, { verdict: 'deny' }];
const ONCE_ANSWERS: Answer[] = [{ verdict: 'allow', scope: 'once' }, { verdict: 'deny' }];

export interface ApprovalPrompter {
  /** How many approvals wait behind the dialog on screen. */
  queued(): number;
  close(): void;
}

/** The dialog for one approval, and what each of its buttons answers (by index). */
export function promptFor(pending: PendingApproval, signal: AbortSignal): { options: MessageBoxOptions; answers: Answer[] } {
  const seconds = Math.max(0, Math.round((new Date(pending.expiresAt).getTime() - Date.now()) / 1000));
  const preview = previewArguments(pending);
  const onlyOnce = onlyOnceReason(pending);
  // A cut preview keeps its "Show all arguments…" even then: "once" still allows text unread.
  const [buttons, answers]: [readonly string[], Answer[]] = preview.cut
    ? [CUT_PROMPT_BUTTONS, CUT_ANSWERS]
    : onlyOnce ? [ONCE_PROMPT_BUTTONS, ONCE_ANSWERS] : [PROMPT_BUTTONS, FULL_ANSWERS];
  const deny = buttons.length - 1;
  // Names and arguments come from configs and servers: a bidi override (U+202E) in one would
  // turn the rest of the line around on the very dialog a person decides by, so invisible
  // characters are spelled out; the names stay on the first line, bounded, so one cannot add
  // lines of its own or push the rest of the dialog off the screen.
  const options: MessageBoxOptions = {
    type: 'warning',
    title: 'MCP Firewall: approval needed',
    message: `${oneLineName(pending.client)} wants to run ${oneLineName(pending.server)} · ${oneLineName(pending.tool)} (${pending.actionClass})`,
    detail: makeVisible([
      `Why: ${pending.reason}${reasonLacksRule(pending.reason, pending.ruleId) ? ` (rule ${pending.ruleId})` : ''}`,
      '',
      preview.cut ? `Arguments, CUT: only part of their ${preview.totalChars.toLocaleString('en-US')} characters is shown here:` : 'Arguments:',
      preview.text,
      '',
      ...(preview.cut ? [
        'The rest of the arguments is NOT shown: "Allow once" would allow text you have not read.',
        `"Show all arguments…" opens them in the dashboard; or run: mcp-firewall approvals show ${pending.id}`,
        ...(onlyOnce ? [] : ['Allowing for the session or always is offered once all of them have been read.']),
        '',
      ] : []),
      ...(onlyOnce ? [`Only "Allow once": ${onlyOnce}.`, ''] : []),
      `Denied automatically in ${seconds}s if nobody answers.`,
    ].join('\n')),
    buttons: [...buttons],
    // A stray Enter or Esc must never allow a write.
    defaultId: deny,
    cancelId: deny,
    noLink: true,
    signal,
  };
  return { options, answers };
}

/**
 * Native dialogs for the approval queue, one at a time: a burst of writes must not stack
 * ten dialogs the user clicks through blind. The engine's timeout still applies; a dialog
 * whose approval was answered elsewhere (dashboard, CLI) or timed out is closed.
 */
/**
 * An answer the store refused is settled all the same: the call is denied, the client told
 * why, and the engine audits it (call-gate.ts). The dialog is gone by then and has nowhere to
 * say so; thrown from here, the error would only reject a promise nobody holds (an unhandled
 * rejection in the desktop app's main process).
 */
function answerRecordingFailureAside(answer: () => void): void {
  try {
    answer();
  } catch (error) {
    if (!(error instanceof ApprovalNotRecordedError)) throw error;
  }
}

export function createApprovalPrompter(approvals: ApprovalQueue, showMessageBox: ShowMessageBox, openApproval: (id: string) => void = () => undefined): ApprovalPrompter {
  const waiting: PendingApproval[] = [];
  const seen = new Set<string>();
  let current: { id: string; abort: AbortController } | null = null;
  let closed = false;

  const stillPending = (id: string) => approvals.list().some((p) => p.id === id);

  const showNext = () => {
    if (current || closed) return;
    let next = waiting.shift();
    while (next && !stillPending(next.id)) next = waiting.shift();
    if (!next) return;
    const pending = next;
    const abort = new AbortController();
    current = { id: pending.id, abort };
    const { options, answers } = promptFor(pending, abort.signal);
    showMessageBox(options).then(
      ({ response }) => {
        if (abort.signal.aborted || !stillPending(pending.id)) return;
        // Anything but a button's index (Electron's -1) denies, as Esc does.
        const answer = answers[response] ?? { verdict: 'deny' };
        // The call stays parked for the dashboard (its timeout still runs); this dialog does not come back.
        if (answer.verdict === 'show') openApproval(pending.id);
        else answerRecordingFailureAside(() => (answer.verdict === 'allow' ? approvals.answer(pending.id, 'allow', answer.scope) : approvals.answer(pending.id, 'deny')));
      },
      () => undefined,
    ).finally(() => {
      current = null;
      showNext();
    });
  };

  const onChange = () => {
    const pending = approvals.list();
    for (const p of pending) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      waiting.push(p);
    }
    const ids = new Set(pending.map((p) => p.id));
    for (const id of seen) if (!ids.has(id) && current?.id !== id && !waiting.some((w) => w.id === id)) seen.delete(id);
    if (current && !ids.has(current.id)) current.abort.abort();
    showNext();
  };
  const unsubscribe = approvals.onChange(onChange);
  onChange();
  return {
    queued: () => waiting.length,
    close() {
      closed = true;
      unsubscribe();
      current?.abort.abort();
    },
  };
}
