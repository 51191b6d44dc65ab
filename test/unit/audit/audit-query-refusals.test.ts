import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { runReadOnlyQueryIsolated } from '../../../main/firewall/audit/audit-query-isolated.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// What an audit query may not do, checked where it runs (the query child): SQL is the
// person's, the audit database is the only file it may read.

const dirs: string[] = [];
function auditWithOneRow() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-audit-'));
  dirs.push(dir);
  const file = join(dir, 'firewall.db');
  const db = openDatabase(file);
  createAuditLog(db).append({ event: 'call', decision: 'ALLOW' });
  db.close();
  return file;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const query = runReadOnlyQueryIsolated;

describe('audit query refusals', () => {
  it('runs user SQL read-only', async () => {
    const file = auditWithOneRow();
    expect((await query(file, 'SELECT COUNT(*) AS n FROM mcp_audit')).rows).toEqual([{ n: 1 }]);
    await expect(query(file, 'DELETE FROM mcp_audit')).rejects.toThrow(/readonly/i);
  });
  it('refuses VACUUM INTO, the one statement that writes a file on a read-only connection', async () => {
    const file = auditWithOneRow();
    const copy = join(dirname(file), 'copy.db');
    for (const sql of [`VACUUM INTO '${copy}'`, ` -- a comment\n /* another */ vacuum main into '${copy}'`]) {
      await expect(query(file, sql)).rejects.toThrow(/VACUUM writes a file/);
    }
    expect(existsSync(copy)).toBe(false);
    expect((await query(file, '/* vacuum */ SELECT 1 AS vacuum')).rows).toEqual([{ vacuum: 1 }]);
  });
  it('refuses ATTACH, DETACH and load_extension, however spelled: the query reads the audit database only', async () => {
    const file = auditWithOneRow();
    // Another readable database: ATTACH on a read-only connection opens it, read-only.
    const other = join(dirname(file), 'other.db');
    openDatabase(other).close();
    const refused: Array<[string, RegExp]> = [
      [`ATTACH '${other}' AS other`, /ATTACH opens another database file/],
      [` -- a comment\n /* another */ attach database (SELECT '${other}') AS "x"`, /ATTACH opens another database file/],
      ['DETACH DATABASE main', /DETACH works on attached database files/],
      ["SELECT LOAD_EXTENSION('/tmp/nothing.so') FROM mcp_audit", /load_extension loads a library/],
    ];
    for (const [sql, message] of refused) await expect(query(file, sql), sql).rejects.toThrow(message);
    // Only compiled, never run: EXPLAIN of an ATTACH opens nothing.
    expect((await query(file, `EXPLAIN ATTACH '${other}' AS other`)).rows.length).toBeGreaterThan(0);
    expect((await query(file, "SELECT 'attach' AS attach, 'load_extension(1)' AS x")).rows).toEqual([{ attach: 'attach', x: 'load_extension(1)' }]);
  });
  it('refuses a second statement instead of running only the first, and reads a ";" in strings, names and comments as text', async () => {
    const file = auditWithOneRow();
    for (const sql of ['SELECT 1; DELETE FROM mcp_audit', "SELECT 'a;b' AS x; SELECT 2", 'select 1 -- note\n; select 2', 'SELECT 1;/* c */SELECT 2']) {
      await expect(query(file, sql), sql).rejects.toThrow(/one statement at a time/);
    }
    expect((await query(file, "SELECT 'it''s; fine' AS x, 2 AS [c;d] -- trailing; comment")).rows).toEqual([{ x: "it's; fine", 'c;d': 2 }]);
    expect((await query(file, 'SELECT COUNT(*) AS n FROM mcp_audit;  ;\n -- done')).rows).toEqual([{ n: 1 }]);
    expect((await query(file, "SELECT 'x' AS \"semi;colon\" /* ; */")).rows).toEqual([{ 'semi;colon': 'x' }]);
  });
});
