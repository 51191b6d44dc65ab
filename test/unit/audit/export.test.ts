import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, GENESIS_HASH, rowHash } from '../../../main/firewall/audit/audit-log.js';
import { exportJsonl, exportJsonlToFile } from '../../../main/firewall/audit/export-jsonl.js';
import { explainPostgresError, redact } from '../../../main/firewall/audit/export-postgres-errors.js';
import { parseTableName } from '../../../main/firewall/audit/export-postgres-table.js';
import { EXPORT_COLUMNS, trailChainId } from '../../../main/firewall/audit/export-rows.js';
import { parseSince } from '../../../main/firewall/audit/export-since.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
function freshTrail() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-export-'));
  dirs.push(dir);
  const file = join(dir, 'firewall.db');
  const db = openDatabase(file);
  return { dir, file, db, log: createAuditLog(db) };
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function linesOf(file: string, sinceIso?: string): Array<Record<string, unknown>> {
  let text = '';
  exportJsonl(file, { sinceIso }, (chunk) => (text += chunk));
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audit export as JSONL', () => {
  it('exports every column of mcp_audit, in table order', () => {
    const { db } = freshTrail();
    const columns = (db.prepare('PRAGMA table_info(mcp_audit)').all() as Array<{ name: string }>).map((c) => c.name);
    expect([...EXPORT_COLUMNS]).toEqual(columns);
  });

  it('writes one object per row with stable keys, from which the hash chain verifies on its own', () => {
    const { file, log } = freshTrail();
    log.append({ event: 'registry', decision: 'APPROVED', serverName: 'files', actorId: 'cli' });
    log.appendBatch([
      { event: 'call', decision: 'ALLOW', serverName: 'files', toolName: 'write_file', actionClass: 'write', actorId: 'me@claude-code', argsDigest: 'sha256:ab' },
      { event: 'result', decision: 'PASS', serverName: 'files', toolName: 'write_file', latencyMs: 12.375, reason: 'quote " and \n newline' },
    ]);
    const rows = linesOf(file);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS]);
    expect(rows[2]).toMatchObject({ latency_ms: 12.375, reason: 'quote " and \n newline' });
    // What a receiver does with the file: recompute every hash from the row before it.
    let prev = GENESIS_HASH;
    for (const row of rows) {
      expect(row.prev_hash).toBe(prev);
      const values = EXPORT_COLUMNS.filter((c) => c !== 'id' && c !== 'prev_hash' && c !== 'row_hash').map((c) => row[c] as string | number | null);
      expect(rowHash(prev, values)).toBe(row.row_hash);
      prev = String(row.row_hash);
    }
  });

  it('reads long trails page by page and keeps id order', () => {
    const { file, log } = freshTrail();
    log.appendBatch(Array.from({ length: 2503 }, (_, i) => ({ event: 'call' as const, decision: 'ALLOW', toolName: `t${i}` })));
    const rows = linesOf(file);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 2503 }, (_, i) => i + 1));
  });

  it('exports only rows at or after --since', () => {
    const { file, log } = freshTrail();
    log.append({ event: 'call', decision: 'ALLOW', toolName: 'old', eventTime: '2026-01-01T00:00:00.000Z' });
    log.append({ event: 'call', decision: 'ALLOW', toolName: 'edge', eventTime: '2026-03-01T00:00:00.000Z' });
    log.append({ event: 'call', decision: 'ALLOW', toolName: 'new', eventTime: '2026-05-01T00:00:00.000Z' });
    expect(linesOf(file, '2026-03-01T00:00:00.000Z').map((r) => r.tool_name)).toEqual(['edge', 'new']);
    expect(linesOf(file, '2027-01-01T00:00:00.000Z')).toEqual([]);
  });

  it('replaces --out whole, private to the user, and leaves no temporary file', async () => {
    const { dir, file, log } = freshTrail();
    log.append({ event: 'call', decision: 'DENY', toolName: 'x' });
    const out = join(dir, 'audit.jsonl');
    writeFileSync(out, 'previous export\n', { mode: 0o644 });
    expect(await exportJsonlToFile(file, {}, out)).toBe(1);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).tool_name)).toEqual(['x']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the previous --out file untouched when the export fails', async () => {
    const { dir } = freshTrail();
    const out = join(dir, 'audit.jsonl');
    writeFileSync(out, 'previous export\n');
    await expect(exportJsonlToFile(join(dir, 'missing', 'firewall.db'), {}, out)).rejects.toThrow();
    expect(readFileSync(out, 'utf8')).toBe('previous export\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stops between pages when told to (Ctrl-C), removing the temporary file and keeping the previous --out', async () => {
    const { dir, file, log } = freshTrail();
    log.appendBatch(Array.from({ length: 2500 }, (_, i) => ({ event: 'call' as const, decision: 'ALLOW', toolName: `t${i}` })));
    const out = join(dir, 'audit.jsonl');
    writeFileSync(out, 'previous export\n');
    const stop = new AbortController();
    stop.abort('SIGINT');
    await expect(exportJsonlToFile(file, {}, out, stop.signal)).rejects.toBe('SIGINT');
    expect(readFileSync(out, 'utf8')).toBe('previous export\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("names a trail by its first row's hash, and an empty trail not at all", () => {
    const { db, log } = freshTrail();
    expect(trailChainId(db)).toBeNull();
    const first = log.append({ event: 'call', decision: 'ALLOW' });
    log.append({ event: 'call', decision: 'DENY' });
    expect(trailChainId(db)).toBe(first.rowHash);
  });
});

describe('--since', () => {
  const now = new Date('2026-05-10T12:00:00.000Z');
  it('takes durations back from now', () => {
    expect(parseSince('10m', now)).toBe('2026-05-10T11:50:00.000Z');
    expect(parseSince('1h30m', now)).toBe('2026-05-10T10:30:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-05-03T12:00:00.000Z');
    expect(parseSince('90s', now)).toBe('2026-05-10T11:58:30.000Z');
  });
  it('takes dates and times, in UTC unless a zone is given', () => {
    expect(parseSince('2026-05-01', now)).toBe('2026-05-01T00:00:00.000Z');
    expect(parseSince('2026-05-01T08:30:00', now)).toBe('2026-05-01T08:30:00.000Z');
    expect(parseSince('2026-05-01T08:30:00+02:00', now)).toBe('2026-05-01T06:30:00.000Z');
    expect(parseSince('2026-05-01T08:30:00.250Z', now)).toBe('2026-05-01T08:30:00.250Z');
  });
  it('refuses what is neither, rather than guess', () => {
    for (const bad of ['yesterday', '10', 'May', '10 minutes', '2026-13-01', '-5m', '']) expect(parseSince(bad, now), bad).toBeNull();
  });
  it('refuses a day the month does not have, rather than roll it over into the next month', () => {
    // Date.parse reads 2026-02-30 as 2026-03-02, and T24:00 as the next day's midnight.
    for (const bad of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-05-00', '2026-02-30T08:00:00Z', '2026-05-01T24:00:00Z']) expect(parseSince(bad, now), bad).toBeNull();
    expect(parseSince('2028-02-29', now)).toBe('2028-02-29T00:00:00.000Z');
    expect(parseSince('2026-12-31T23:59:59Z', now)).toBe('2026-12-31T23:59:59.000Z');
  });
});

describe('Postgres export messages', () => {
  const target = { user: 'auditor', host: 'db.internal', port: 5432, database: 'warehouse' };
  const passwords = ['s3cr3t-pw'];
  it('names the cause of a failed connection in one line', () => {
    expect(explainPostgresError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), target, passwords))
      .toBe('cannot reach Postgres at auditor@db.internal:5432/warehouse: connection refused (is Postgres running and listening on that host and port?)');
    expect(explainPostgresError(Object.assign(new Error('password authentication failed for user "auditor"'), { code: '28P01' }), target, passwords))
      .toMatch(/^Postgres at auditor@db\.internal:5432\/warehouse: password authentication failed: check the user, and the password in PGPASSWORD, ~\/\.pgpass or the URL/);
    expect(explainPostgresError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), target, []))
      .toBe('Postgres at auditor@db.internal:5432/warehouse asks for a password and none was given: set PGPASSWORD or add a line to ~/.pgpass');
    expect(explainPostgresError(new Error('line one\n  line two'), target, passwords)).not.toContain('\n');
  });
  it('never repeats the password, raw, URL-encoded or inside a URL', () => {
    const message = explainPostgresError(new Error('bad postgres://auditor:other@db/x with p@ss-word and p%40ss-word'), target, ['p@ss-word']);
    expect(message).toBe('Postgres export to auditor@db.internal:5432/warehouse failed: bad postgres://auditor:***@db/x with *** and ***');
    expect(redact('postgresql://u:p%40ss@h/db', [])).toBe('postgresql://u:***@h/db');
  });
  it('cuts out a password holding runs of whitespace, and a longer password whole when a shorter one is inside it', () => {
    expect(redact('got "two  spaces\there" back', ['two  spaces\there'])).toBe('got "***" back');
    expect(redact('got pw and pw-longer', ['pw', 'pw-longer'])).toBe('got *** and ***');
  });
  it('keeps the message readable with a short password, and still cuts that password where it stands on its own', () => {
    const refused = Object.assign(new Error('password authentication failed for user "auditor": "a" is not it'), { code: '28P01' });
    expect(explainPostgresError(refused, target, ['a'])).toBe(
      'Postgres at auditor@db.internal:5432/warehouse: password authentication failed: check the user, and the password in PGPASSWORD, ~/.pgpass or the URL (password authentication failed for user "auditor": "***" is not it)',
    );
    expect(redact('Postgres export to auditor@db:5432/pgdata failed: you sent pg, want pg2', ['pg'])).toBe('Postgres export to auditor@db:5432/pgdata failed: you sent ***, want pg2');
    // Symbols are cut where they stand alone too, raw or URL-encoded, and inside a URL as ever.
    expect(redact('got "@" (%40) for postgres://u:@@h/db at u@h', ['@'])).toBe('got "***" (***) for postgres://u:***@h/db at u@h');
  });
  it('cuts a password long enough to mean something wherever it appears, even inside a word', () => {
    expect(redact('got xhunter2-pwy', ['hunter2-pw'])).toBe('got x***y');
  });
  it('accepts table names Postgres would take unquoted, folded to lower case', () => {
    expect(parseTableName('mcp_audit')).toEqual({ display: 'mcp_audit', sql: '"mcp_audit"', name: 'mcp_audit' });
    expect(parseTableName('Security.MCP_Audit')).toEqual({ display: 'security.mcp_audit', sql: '"security"."mcp_audit"', name: 'mcp_audit' });
    for (const bad of ['mcp-audit', 'a.b.c', 'x"; DROP TABLE y; --', '1table', '']) expect(parseTableName(bad), bad).toBeNull();
  });
});
