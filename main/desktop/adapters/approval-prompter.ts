import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import type { ApprovalQueue, ApprovalScope, PendingApproval } from '../../firewall/approvals/approval-queue.js';
import { previewArguments } from '../../firewall/api/approval-view.js';
import { makeVisible, oneLineName, reasonLacksRule } from '../../../preload/visible-text.js';

/** dialog.showMessageBox, injected so the prompter runs (and is tested) outside Electron. */
export type ShowMessageBox = (options: MessageBoxOptions) => Promise<MessageBoxReturnValue>;

/** The same four answers as the dashboard, in the same order; Deny last, default and cancel. */
export const PROMPT_BUTTONS = ['Allow once', 'Allow for this session', 'Always for these arguments', 'Deny'] as const;
const DENY = PROMPT_BUTTONS.length - 1;
const SCOPES: ApprovalScope[] = ['once', 'session', 'always'];

export interface ApprovalPrompter {
  /** How many approvals wait behind the dialog on screen. */
  queued(): number;
  close(): void;
}

export function promptOptions(pending: PendingApproval, signal: AbortSignal): MessageBoxOptions {
  const seconds = Math.max(0, Math.round((new Date(pending.expiresAt).getTime() - Date.now()) / 1000));
  // Names and arguments come from configs and servers: a bidi override (U+202E) in one would
  // turn the rest of the line around on the very dialog a person decides by, so invisible
  // characters are spelled out; the names stay on the first line, bounded, so one cannot add
  // lines of its own or push the rest of the dialog off the screen.
  return {
    type: 'warning',
    title: 'MCP Firewall: approval needed',
    message: `${oneLineName(pending.client)} wants to run ${oneLineName(pending.server)} · ${oneLineName(pending.tool)} (${pending.actionClass})`,
    detail: makeVisible([
      `Why: ${pending.reason}${reasonLacksRule(pending.reason, pending.ruleId) ? ` (rule ${pending.ruleId})` : ''}`,
      '',
      'Arguments:',
      previewArguments(pending.arguments, pending.argumentsSource),
      '',
      `Denied automatically in ${seconds}s if nobody answers.`,
    ].join('\n')),
    buttons: [...PROMPT_BUTTONS],
    // A stray Enter or Esc must never allow a write.
    defaultId: DENY,
    cancelId: DENY,
    noLink: true,
    signal,
  };
}

/**
 * Native dialogs for the approval queue, one at a time: a burst of writes must not stack
 * ten dialogs the user clicks through blind. The engine's timeout still applies; a dialog
 * whose approval was answered elsewhere (dashboard, CLI) or timed out is closed.
 */
export function createApprovalPrompter(approvals: ApprovalQueue, showMessageBox: ShowMessageBox): ApprovalPrompter {
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
    showMessageBox(promptOptions(pending, abort.signal)).then(
      ({ response }) => {
        if (!abort.signal.aborted && stillPending(pending.id)) {
          if (response >= 0 && response < DENY) approvals.answer(pending.id, 'allow', SCOPES[response]);
          else approvals.answer(pending.id, 'deny');
        }
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
