import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, verifyAuditChain } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase, openReadOnly } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
function freshDb() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-audit-'));
  dirs.push(dir);
  const file = join(dir, 'firewall.db');
  return { file, db: openDatabase(file) };
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('hash-chained audit', () => {
  it('verifies an untouched chain written by two writers', () => {
    const { file, db } = freshDb();
    const a = createAuditLog(db);
    const other = openDatabase(file);
    const b = createAuditLog(other);
    a.append({ event: 'call', decision: 'ALLOW', toolName: 'x' });
    b.append({ event: 'registry', decision: 'APPROVED', serverName: 's' });
    a.appendBatch([{ event: 'result', decision: 'PASS' }, { event: 'call', decision: 'DENY' }]);
    expect(verifyAuditChain(db)).toEqual({ ok: true, rows: 4, problems: [] });
    other.close();
  });
  it('detects an edited row, a deleted middle row and deleted tail rows', () => {
    const { db } = freshDb();
    const log = createAuditLog(db);
    for (let i = 0; i < 5; i++) log.append({ event: 'call', decision: 'ALLOW', toolName: `t${i}` });
    db.exec("UPDATE mcp_audit SET decision = 'DENY' WHERE id = 2");
    expect(verifyAuditChain(db).problems).toEqual(['row 2: contents do not match its hash (edited)']);
    db.exec("UPDATE mcp_audit SET decision = 'ALLOW' WHERE id = 2");
    db.exec('DELETE FROM mcp_audit WHERE id = 3');
    expect(verifyAuditChain(db).problems).toEqual(['rows 3..3 are missing (deleted)', 'row 4: previous row missing or altered (chain broken before it)']);
    db.exec('DELETE FROM mcp_audit WHERE id = 5');
    expect(verifyAuditChain(db).problems).toContain('rows 5..5 were deleted from the end of the trail');
  });
  it('does not report rows the engine appends while verify runs as rows deleted from the end', () => {
    const { file, db } = freshDb();
    const engine = createAuditLog(db);
    for (let i = 0; i < 3; i++) engine.append({ event: 'call', decision: 'ALLOW', toolName: `t${i}` });
    const reader = openReadOnly(file);
    // `audit verify` reads on its own connection; the engine appends a row between its read of
    // the rows and its read of the high-water mark (sqlite_sequence).
    const racing = new Proxy(reader, {
      get(target, key) {
        if (key !== 'prepare') {
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!sql.includes('sqlite_sequence')) return statement;
          return new Proxy(statement, {
            get(s, k) {
              if (k !== 'get') {
                const value = Reflect.get(s, k, s) as unknown;
                return typeof value === 'function' ? value.bind(s) : value;
              }
              return (...args: []) => {
                engine.append({ event: 'call', decision: 'ALLOW', toolName: 'during-verify' });
                return s.get(...args);
              };
            },
          });
        };
      },
    });
    try {
      expect(verifyAuditChain(racing)).toEqual({ ok: true, rows: 3, problems: [] });
      expect(verifyAuditChain(reader)).toEqual({ ok: true, rows: 4, problems: [] });
    } finally {
      reader.close();
    }
  });
  it('detects deleted tail rows after more rows were appended, as a gap in the ids', () => {
    const { db } = freshDb();
    const log = createAuditLog(db);
    for (let i = 0; i < 5; i++) log.append({ event: 'call', decision: 'ALLOW', toolName: `t${i}` });
    db.exec('DELETE FROM mcp_audit WHERE id >= 4');
    // The chain goes on from row 3, and the sequence's high-water mark is passed again.
    log.append({ event: 'policy', decision: 'EMERGENCY_ON' });
    expect(verifyAuditChain(db).problems).toEqual(['rows 4..5 are missing (deleted)']);
  });
  it('stores and hashes what SQLite keeps: a lone surrogate a client sent does not read as an edit forever', () => {
    const { db } = freshDb();
    const log = createAuditLog(db);
    log.append({ event: 'call', decision: 'DENY', toolName: 'nope\udfff', reason: 'x\ud800y' });
    log.appendBatch([{ event: 'result', decision: 'ERROR', toolName: '\udfffz' }]);
    expect(verifyAuditChain(db)).toEqual({ ok: true, rows: 2, problems: [] });
    expect(db.prepare('SELECT tool_name FROM mcp_audit ORDER BY id').all()).toEqual([{ tool_name: 'nope\ufffd' }, { tool_name: '\ufffdz' }]);
  });
  it('stores and hashes what SQLite gives back: a NUL a client sent in a tool name does not read as an edit forever', () => {
    const { db } = freshDb();
    createAuditLog(db).append({ event: 'call', decision: 'DENY', toolName: 'a\u0000b', reason: 'x\u0000' });
    expect(verifyAuditChain(db)).toEqual({ ok: true, rows: 1, problems: [] });
    // Not cut off at the NUL (what SQLite hands back for text holding one), and no NUL for a Postgres export to choke on.
    expect(db.prepare('SELECT tool_name, reason FROM mcp_audit').get()).toEqual({ tool_name: 'a\ufffdb', reason: 'x\ufffd' });
  });
});
