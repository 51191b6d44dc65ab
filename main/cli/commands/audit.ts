import { existsSync } from 'node:fs';
import { verifyAuditChain } from '../../firewall/audit/audit-log.js';
import { runReadOnlyQuery } from '../../firewall/audit/audit-query.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { openReadOnly } from '../../firewall/store/database.js';
import { parseArgs } from '../args.js';
import { flushAuditSpool } from '../control-client.js';
import { UsageError, type CommandHandler } from '../command.js';
import { formatTable } from './output.js';

export const auditUsage = 'mcp-firewall audit query "SQL" [--json] | verify';

// Works with or without a running engine: it reads the SQLite file directly, read-only.
export const auditCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  const [verb, sql] = parsed.positional;
  const database = dataPaths(resolveDataDir(io.env)).database;
  await flushAuditSpool(io.env);
  if (!existsSync(database)) {
    io.stderr(`No audit trail yet at ${database}: start the firewall with 'mcp-firewall serve' first.\n`);
    return 1;
  }
  if (verb === 'query') {
    if (!sql) throw new UsageError(`usage: ${auditUsage}`);
    let result;
    try {
      result = runReadOnlyQuery(database, sql);
    } catch (error) {
      io.stderr(`audit query failed: ${(error as Error).message}\n`);
      return 1;
    }
    io.stdout(parsed.flags.has('json') ? `${JSON.stringify(result.rows, null, 2)}\n` : formatTable(result.columns, result.rows));
    return 0;
  }
  if (verb === 'verify') {
    const db = openReadOnly(database);
    try {
      const result = verifyAuditChain(db);
      if (result.ok) io.stdout(`audit trail intact: ${result.rows} rows, hash chain verified\n`);
      else io.stdout(`AUDIT TRAIL TAMPERED (${result.problems.length} problem(s)):\n${result.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return result.ok ? 0 : 2;
    } finally {
      db.close();
    }
  }
  throw new UsageError(`usage: ${auditUsage}`);
};
