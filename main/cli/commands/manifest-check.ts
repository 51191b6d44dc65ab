import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkTools, findTextCues, makeVisible, parseToolsList, toolVerdict, type Cue, type ToolCheck } from '../../firewall/manifest/index.js';
import { expectOnly, parseArgs } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';

export const manifestCheckUsage = 'mcp-firewall manifest check FILE [--json]   (FILE: a saved tools/list result or JSON-RPC response)';

// Vet a server before installing it: the same checks the shim runs on every tools/list.
// Exit 0 = nothing blocks, 1 = some tool (or the server instructions) would be blocked,
// 2 = the file cannot be read or is not a tools/list result.
export const manifestCheckCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  expectOnly(parsed, ['json'], 2, manifestCheckUsage);
  const positional = parsed.positional[0] === 'check' ? parsed.positional.slice(1) : parsed.positional;
  const file = positional[0];
  if (!file || positional.length > 1) throw new UsageError(`usage: ${manifestCheckUsage}`);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    io.stderr(`manifest check: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  const list = parseToolsList(text);
  if (!list.ok) {
    io.stderr(`manifest check: ${file}: ${list.error}\n`);
    return 2;
  }
  const tools = checkTools(list.tools);
  const instructionCues = list.instructions === undefined ? undefined : findTextCues('instructions', list.instructions, { siblingToolNames: tools.map((t) => t.name) });
  const instructions = instructionCues && { verdict: toolVerdict(instructionCues), cues: instructionCues };
  const summary = { ok: 0, review: 0, block: 0 };
  for (const t of tools) summary[t.verdict]++;
  const blocked = summary.block > 0 || instructions?.verdict === 'block';
  if (parsed.flags.has('json')) {
    io.stdout(`${JSON.stringify({ file, tools, ...(instructions ? { instructions } : {}), summary }, null, 2)}\n`);
  } else {
    for (const t of tools) io.stdout(formatTool(t));
    if (instructions) io.stdout(formatTool({ name: '(server instructions)', ...instructions }));
    io.stdout(`\n${tools.length} tools: ${summary.ok} ok, ${summary.review} review, ${summary.block} block\n`);
  }
  return blocked ? 1 : 0;
};

function formatTool(t: ToolCheck): string {
  const lines = [`${t.verdict.toUpperCase().padEnd(6)} ${makeVisible(t.name)}`];
  for (const c of t.cues) lines.push(formatCue(c));
  return `${lines.join('\n')}\n`;
}

function formatCue(c: Cue): string {
  return `  ${c.severity.padEnd(6)} ${c.kind} at ${c.path}[${c.start}..${c.end}]: ${c.reason}\n         ${c.excerpt}`;
}
