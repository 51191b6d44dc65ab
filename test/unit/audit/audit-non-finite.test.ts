import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, rowHash, verifyAuditChain, GENESIS_HASH } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-audit-inf-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  return { db, audit: createAuditLog(db) };
}

// The row hash is over JSON, where Infinity, -Infinity and NaN all read as null: a latency
// edited from NULL to ±Infinity would hash as the row did.
describe('numbers that are not finite in the audit', () => {
  it.each([['Infinity', '9e999'], ['-Infinity', '-9e999']])('flags a latency edited from NULL to %s', (_name, literal) => {
    const { db, audit } = fresh();
    audit.append({ event: 'result', decision: 'PASS', toolName: 't', latencyMs: null });
    audit.append({ event: 'result', decision: 'PASS', toolName: 't', latencyMs: 12 });
    expect(verifyAuditChain(db).ok).toBe(true);
    db.exec(`UPDATE mcp_audit SET latency_ms = ${literal} WHERE id = 1`);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^row 1: latency_ms holds .*Infinity, which no row is written with \(edited\)$/)] });
  });

  it('writes a latency that is not finite as NULL, so the row verifies', () => {
    const { db, audit } = fresh();
    audit.append({ event: 'result', decision: 'PASS', latencyMs: Infinity });
    audit.appendBatch([{ event: 'result', decision: 'PASS', latencyMs: -Infinity }, { event: 'result', decision: 'PASS', latencyMs: NaN }]);
    expect(db.prepare('SELECT latency_ms FROM mcp_audit ORDER BY id').all()).toEqual([{ latency_ms: null }, { latency_ms: null }, { latency_ms: null }]);
    expect(verifyAuditChain(db)).toEqual({ ok: true, rows: 3, problems: [] });
  });

  it('hashes a row with a finite latency as before, so trails already written still verify', () => {
    const { db, audit } = fresh();
    const { rowHash: written } = audit.append({ event: 'result', decision: 'PASS', toolName: 't', latencyMs: 12.5, eventTime: '2026-05-01T12:00:00.000Z' });
    const values = ['2026-05-01T12:00:00.000Z', 'result', null, null, null, 't', null, null, 'PASS', null, null, null, null, null, null, 12.5];
    expect(written).toBe(rowHash(GENESIS_HASH, values));
    expect(verifyAuditChain(db).ok).toBe(true);
  });
});
