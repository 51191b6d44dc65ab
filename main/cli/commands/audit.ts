import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { verifyAuditChain } from '../../firewall/audit/audit-log.js';
import { runReadOnlyQueryIsolated } from '../../firewall/audit/audit-query-isolated.js';
import { exportJsonl, exportJsonlToFile } from '../../firewall/audit/export-jsonl.js';
import { parseSince } from '../../firewall/audit/export-since.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { openReadOnly } from '../../firewall/store/database.js';
import { expectOnly, parseArgs, stringFlag, type ParsedArgs } from '../args.js';
import { flushAuditSpool } from '../control-client.js';
import { UsageError, type CliIo, type CommandHandler } from '../command.js';
import { untilInterrupted } from '../until-interrupted.js';
import { formatTable } from './output.js';

// The Postgres URL shown carries no password: one in the URL lands in shell history and
// `ps`, so we point people at PGPASSWORD or ~/.pgpass (a URL password still works).
export const auditUsage = [
  'mcp-firewall audit query "SQL" [--json] [--timeout SECONDS] | verify',
  '  | export [--format jsonl] [--since ISO|DURATION] [--out FILE]',
  '  | export --postgres postgres://USER@HOST:PORT/DB [--table NAME] [--json]   (password from PGPASSWORD or ~/.pgpass)',
].join('\n');

/** Long enough for a big trail's report; a query that runs away is stopped (--timeout). */
const DEFAULT_QUERY_TIMEOUT_S = 300;

// Works with or without a running engine: it reads the SQLite file directly, read-only.
export const auditCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  expectOnly(parsed, ['json', 'postgres', 'table', 'format', 'since', 'out', 'timeout'], 2, auditUsage);
  const [verb, sql] = parsed.positional;
  if (verb !== 'query' && verb !== 'export' && verb !== 'verify') throw new UsageError(`usage: ${auditUsage}`);
  const { dir: dataDir, database } = dataPaths(resolveDataDir(io.env));
  await flushAuditSpool(io.env);
  if (!existsSync(database)) {
    io.stderr(`No audit trail yet at ${database}: start the firewall with 'mcp-firewall serve' first.\n`);
    return 1;
  }
  if (verb === 'query') {
    if (!sql) throw new UsageError(`usage: ${auditUsage}`);
    const timeout = stringFlag(parsed, 'timeout') ?? String(DEFAULT_QUERY_TIMEOUT_S);
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new UsageError(`--timeout must be a number of seconds from 1 to 86400, not '${timeout}'`);
    let result;
    try {
      // In a child with a time limit, as the API runs it: SQLite cannot interrupt a statement,
      // and a recursive query that never ends would hold the CLI (and a WAL snapshot) forever.
      result = await runReadOnlyQueryIsolated(database, sql, { timeoutMs: seconds * 1000 });
    } catch (error) {
      io.stderr(`audit query failed: ${(error as Error).message}\n`);
      return 1;
    }
    io.stdout(parsed.flags.has('json') ? `${JSON.stringify(result.rows, null, 2)}\n` : formatTable(result.columns, result.rows));
    return 0;
  }
  if (verb === 'export') return auditExport(parsed, dataDir, database, io);
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

const rowsText = (n: number) => `${n} audit ${n === 1 ? 'row' : 'rows'}`;

async function auditExport(parsed: ParsedArgs, dataDir: string, database: string, io: CliIo): Promise<number> {
  const url = stringFlag(parsed, 'postgres');
  const format = stringFlag(parsed, 'format');
  const since = stringFlag(parsed, 'since');
  const out = stringFlag(parsed, 'out');
  if (url !== undefined) {
    if (format !== undefined || since !== undefined || out !== undefined) {
      throw new UsageError('--postgres sends every row the table does not have yet: it takes no --format, --since or --out');
    }
    // Loaded here so `audit query` and the rest of the CLI never load the Postgres driver.
    const { exportToPostgres } = await import('../../firewall/audit/export-postgres.js');
    const { PostgresExportError } = await import('../../firewall/audit/export-postgres-errors.js');
    try {
      const result = await exportToPostgres({ databaseFile: database, url, table: stringFlag(parsed, 'table') });
      if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(result)}\n`);
      else io.stdout(`sent ${rowsText(result.sent)} to ${result.table} at ${result.target}${result.alreadyThere ? ` (${result.alreadyThere} already there)` : ''}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof PostgresExportError)) throw error;
      io.stderr(`audit export: ${error.message}\n`);
      return 1;
    }
  }
  if (format !== undefined && format !== 'jsonl') throw new UsageError(`--format ${format}: only jsonl (or --postgres URL)`);
  if (parsed.flags.has('table')) throw new UsageError('--table goes with --postgres');
  const sinceIso = since === undefined ? undefined : parseSince(since, new Date());
  if (sinceIso === null) throw new UsageError(`--since ${since}: expected a duration (10m, 24h, 7d) or an ISO date/time (2026-05-01T00:00:00Z)`);
  const file = out === undefined ? undefined : resolve(io.cwd, out);
  if (file !== undefined && statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out ${out} is a directory: give a file name, e.g. --out ${join(out!, 'audit.jsonl')}`);
  }
  // The export replaces FILE whole: named firewall.db (or policy.yaml, the quarantine key…)
  // it would put JSONL where the live audit trail was, and the trail would be gone.
  if (file !== undefined && sameDirectory(dirname(file), dataDir)) {
    throw new UsageError(`--out ${out} is in the firewall's data dir (${dataDir}), beside its audit database, policy and keys: write the export somewhere else`);
  }
  try {
    if (file === undefined) {
      exportJsonl(database, { sinceIso }, io.stdout);
      return 0;
    }
    const rows = await untilInterrupted((stop) => exportJsonlToFile(database, { sinceIso }, file, stop));
    io.stderr(`exported ${rowsText(rows)} to ${file}\n`);
    return 0;
  } catch (error) {
    io.stderr(`audit export: ${(error as Error).message}\n`);
    return 1;
  }
}

/** By identity, not by name: a symlinked or differently spelled path to the data dir is still it. */
function sameDirectory(a: string, b: string): boolean {
  const one = statSync(a, { throwIfNoEntry: false });
  const other = statSync(b, { throwIfNoEntry: false });
  return one !== undefined && other !== undefined && one.dev === other.dev && one.ino === other.ino;
}
