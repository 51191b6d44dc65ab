import { existsSync } from 'node:fs';
import { evaluateGates } from '../../firewall/gates/gates.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { openReadOnly } from '../../firewall/store/database.js';
import { expectOnly, parseArgs } from '../args.js';
import { flushAuditSpool } from '../control-client.js';
import type { CommandHandler } from '../command.js';
import { formatTable } from './output.js';

export const gatesUsage = 'mcp-firewall gates [--json]';

/** Reads the audit trail directly, so it answers with or without a running engine. Exit 3 when a gate pages. */
export const gatesCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  expectOnly(parsed, ['json'], 0, gatesUsage);
  const database = dataPaths(resolveDataDir(io.env)).database;
  await flushAuditSpool(io.env);
  if (!existsSync(database)) {
    io.stderr(`No audit trail yet at ${database}: start the firewall with 'mcp-firewall serve' first.\n`);
    return 1;
  }
  const db = openReadOnly(database);
  try {
    const gates = evaluateGates(db);
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(gates, null, 2)}\n`);
    else {
      io.stdout(formatTable(['state', 'name', 'value', 'target', 'pageCondition', 'owner'], gates.map((g) => ({
        ...g, state: g.paging ? 'PAGING' : 'ok', value: g.unit === 'ratio' ? `${(g.value * 100).toFixed(2)}% (${g.detail})` : g.detail,
      }))));
    }
    return gates.some((g) => g.paging) ? 3 : 0;
  } finally {
    db.close();
  }
};
