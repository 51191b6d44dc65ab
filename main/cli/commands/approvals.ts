import { APPROVAL_SCOPES, type ApprovalScope, type PendingApproval } from '../../firewall/approvals/approval-queue.js';
import { expectOnly, parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';
import { makeVisible } from '../../firewall/manifest/visible-text.js';
import { formatTable } from './output.js';

export const approvalsUsage = 'mcp-firewall approvals list [--json] | allow ID [--scope once|session|always] | deny ID';

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
      for (const p of pending) io.stdout(`\n${p.id} arguments: ${makeVisible(truncate(p.argumentsSource ?? JSON.stringify(p.arguments), 400))}\n`);
    }
    return 0;
  }
  if ((verb !== 'allow' && verb !== 'deny') || !id) throw new UsageError(`usage: ${approvalsUsage}`);
  const scope = (stringFlag(parsed, 'scope') ?? 'once') as ApprovalScope;
  if (!APPROVAL_SCOPES.includes(scope)) throw new UsageError(`--scope must be one of ${APPROVAL_SCOPES.join(', ')}`);
  await callEngine(io.env, 'POST', `/approvals/${encodeURIComponent(id)}/${verb}`, { scope });
  io.stdout(verb === 'allow' ? `${id}: allowed (${scope})\n` : `${id}: denied\n`);
  return 0;
};

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
