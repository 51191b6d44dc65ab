import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_COLUMNS } from '../../main/firewall/audit/export-rows.js';
import { makeHome, removeHome, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');

describe('audit export --format jsonl, on rows written through the real shim', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });
  let conn: ShimConnection;
  const parse = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  const count = () => (JSON.parse(engine().cli(['audit', 'query', 'SELECT COUNT(*) AS n FROM mcp_audit', '--json']).stdout) as Array<{ n: number }>)[0]!.n;

  beforeAll(async () => {
    conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'claude-code' });
    await conn.client.listTools();
  });
  afterAll(async () => {
    await conn.close();
  });

  it('includes the call that just happened (the shim spool is folded in first), every column in table order', async () => {
    await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 7 } }));
    const result = engine().cli(['audit', 'export', '--format', 'jsonl']);
    expect(result.code).toBe(0);
    const rows = parse(result.stdout);
    expect(rows.filter((r) => r.event === 'call' && r.tool_name === 'update_record')).toEqual([
      expect.objectContaining({ server_name: 'faulty', client: 'claude-code', action_class: 'write', decision: 'ALLOW', approval_id: null }),
    ]);
    for (const row of rows) expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS]);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBeLessThanOrEqual(count());
  });

  it('writes the same rows to a private --out file', async () => {
    await conn.client.callTool({ name: 'read_text', arguments: { text: 'hi' } });
    // The result row may be recorded just after the client has its answer.
    const resultRows = () => JSON.parse(engine().cli(['audit', 'query', "SELECT id FROM mcp_audit WHERE event = 'result' AND tool_name = 'read_text'", '--json']).stdout) as unknown[];
    await waitFor(() => resultRows().length > 0, 'the read_text result row');
    // The engine is stopped for this comparison: with it running, rows may land between two exports.
    await engine().stop();
    const toStdout = engine().cli(['audit', 'export']);
    // Outside the data dir: an export is refused there (it could replace the live database).
    const exports = makeHome();
    const file = join(exports, 'trail.jsonl');
    const toFile = engine().cli(['audit', 'export', '--format', 'jsonl', '--out', file]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toMatch(/^exported \d+ audit rows to .*trail\.jsonl\n$/);
    expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parse(toStdout.stdout)).toHaveLength(count());
    expect(parse(toStdout.stdout).some((r) => r.tool_name === 'read_text' && r.event === 'result')).toBe(true);
    removeHome(exports);
  });

  it('limits rows with --since, as a duration or a date', () => {
    expect(parse(engine().cli(['audit', 'export', '--since', '10m']).stdout)).toHaveLength(count());
    const future = engine().cli(['audit', 'export', '--since', '2999-01-01T00:00:00Z']);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
  });

  it('refuses unclear requests with a usage error instead of exporting something else', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'csv'], /--format csv: only jsonl/],
      [['--since', 'last tuesday'], /--since last tuesday: expected a duration/],
      [['--postgres', 'postgres://u@127.0.0.1/db', '--out', 'x.jsonl'], /takes no --format, --since or --out/],
      [['--table', 'mcp_audit'], /--table goes with --postgres/],
      // Replacing the live database (or anything beside it) with JSONL would lose the trail.
      [['--out', join(engine().home, 'firewall.db')], /is in the firewall's data dir/],
      [['--out', join(engine().home, '.', 'policy.yaml')], /is in the firewall's data dir/],
    ];
    for (const [args, message] of cases) {
      const result = engine().cli(['audit', 'export', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});
