import type { QuarantineItem } from '../../firewall/quarantine/quarantine-store.js';
import { expectOnly, parseArgs } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';
import { formatTable } from './output.js';

export const quarantineUsage = 'mcp-firewall quarantine list [--json] | show ID [--raw] | release ID | drop ID';

export const quarantineCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json', 'raw']);
  expectOnly(parsed, ['json', 'raw'], 2, quarantineUsage);
  const [verb, id] = parsed.positional;
  if (verb === 'list') {
    const items = (await callEngine(io.env, 'GET', '/quarantine')) as QuarantineItem[];
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(items, null, 2)}\n`);
    else io.stdout(formatTable(['id', 'status', 'heldAt', 'server', 'tool', 'found'], items.map((i) => ({ ...i, found: [...new Set(i.findings.map((f) => f.type))].join(', ') }))));
    return 0;
  }
  if (!id) throw new UsageError(`usage: ${quarantineUsage}`);
  if (verb === 'show') {
    const shown = await callEngine(io.env, 'GET', `/quarantine/${encodeURIComponent(id)}${parsed.flags.has('raw') ? '?raw=1' : ''}`);
    io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    if (!parsed.flags.has('raw')) io.stdout('(findings masked; --raw shows the result as the server sent it)\n');
    return 0;
  }
  if (verb === 'release' || verb === 'drop') {
    await callEngine(io.env, 'POST', `/quarantine/${encodeURIComponent(id)}/${verb}`);
    io.stdout(verb === 'release' ? `${id}: released — the next identical call receives it\n` : `${id}: dropped and deleted\n`);
    return 0;
  }
  throw new UsageError(`usage: ${quarantineUsage}`);
};
