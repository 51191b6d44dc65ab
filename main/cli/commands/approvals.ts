import { APPROVAL_SCOPES, type ApprovalScope, type PendingApproval } from '../../firewall/approvals/approval-queue.js';
import { previewArguments } from '../../firewall/approvals/arguments-preview.js';
import { expectOnly, parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';
import { breakAtEscapedNewlines, makeVisible, oneLineName } from '../../firewall/manifest/visible-text.js';
import type { Approval } from '../../../preload/contract.js';
import { reasonLacksRule } from '../../../preload/visible-text.js';
import { formatTable } from './output.js';

export const approvalsUsage = 'mcp-firewall approvals list [--json] | show ID [--json] | allow ID [--scope once|session|always] | deny ID';

/** What GET /api/approvals/ID/arguments answers: the dashboard's view of the call, with all of its arguments. */
type ShownApproval = Omit<Approval, 'argumentsPreview'> & { text: string };

export const approvalsCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  expectOnly(parsed, ['json', 'scope'], 2, approvalsUsage);
  const [verb, id] = parsed.positional;
  if (verb === 'list') {
    const pending = (await callEngine(io.env, 'GET', '/approvals')) as PendingApproval[];
    if (parsed.flags.has('json')) {
      io.stdout(`${JSON.stringify(pending, null, 2)}\n`);
    } else {
      io.stdout(formatTable(['id', 'client', 'server', 'tool', 'actionClass', 'reason', 'expiresAt'], pending as unknown as Array<Record<string, unknown>>));
      for (const p of pending) {
        // The engine's own preview, the dashboard's: an uncut one counts as shown in full and
        // lets "session" and "always" through, so the CLI prints every character of it.
        const preview = previewArguments(p);
        const more = preview.cut ? `\n  (all of them: mcp-firewall approvals show ${p.id}) before --scope session or always` : '';
        io.stdout(`\n${p.id} arguments:\n${breakAtEscapedNewlines(makeVisible(preview.text))}${more}\n`);
      }
    }
    return 0;
  }
  if (verb === 'show') {
    if (!id) throw new UsageError(`usage: ${approvalsUsage}`);
    const shown = (await callEngine(io.env, 'GET', `/approvals/${encodeURIComponent(id)}/arguments`)) as ShownApproval;
    io.stdout(parsed.flags.has('json') ? `${JSON.stringify(shown, null, 2)}\n` : showText(shown));
    return 0;
  }
  if ((verb !== 'allow' && verb !== 'deny') || !id) throw new UsageError(`usage: ${approvalsUsage}`);
  const scope = (stringFlag(parsed, 'scope') ?? 'once') as ApprovalScope;
  if (!APPROVAL_SCOPES.includes(scope)) throw new UsageError(`--scope must be one of ${APPROVAL_SCOPES.join(', ')}`);
  await callEngine(io.env, 'POST', `/approvals/${encodeURIComponent(id)}/${verb}`, { scope });
  io.stdout(verb === 'allow' ? `${id}: allowed (${scope})\n` : `${id}: denied\n`);
  return 0;
};

/**
 * Every character of the arguments, nothing cut: what "Allow" lets the server receive. Invisible
 * characters are spelled out (ANSI escapes included, so the arguments cannot repaint the
 * terminal they are read in); names stay on their lines, as in the native dialog.
 */
function showText(shown: ShownApproval): string {
  return [
    `${shown.id}: ${oneLineName(shown.client)} wants to run ${oneLineName(shown.server)} · ${oneLineName(shown.tool)} (${oneLineName(shown.actionClass)})`,
    `Why: ${makeVisible(shown.reason)}${reasonLacksRule(shown.reason, shown.ruleId) ? ` (rule ${oneLineName(shown.ruleId)})` : ''}`,
    `Denied automatically at ${shown.expiresAt} if nobody answers.`,
    ...(shown.onlyOnce ? [`Only --scope once: ${makeVisible(shown.onlyOnce)}.`] : []),
    `Arguments, all ${shown.text.length} characters (invisible ones spelled out as \\u{…}; a line break after each \\n):`,
    breakAtEscapedNewlines(makeVisible(shown.text)),
    '',
  ].join('\n');
}
