import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog, verifyAuditChain } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a write transaction on a full disk', () => {
  it('fails with the error that says the disk is full, and the store goes on once there is room', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-full-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    const audit = createAuditLog(db);
    audit.append({ event: 'registry', decision: 'ALLOW', reason: 'before' });
    // SQLite's own cap stands in for a full disk: the same SQLITE_FULL, and the same rollback.
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages}`);
    const rows = Array.from({ length: 50 }, (_, i) => ({ event: 'protocol' as const, decision: 'ERROR', reason: `${i} ${'x'.repeat(4000)}` }));
    expect(() => audit.appendBatch(rows)).toThrow(/database or disk is full/);
    db.exec('PRAGMA max_page_count = 1073741823');
    audit.append({ event: 'registry', decision: 'ALLOW', reason: 'after' });
    expect(db.prepare('SELECT reason FROM mcp_audit ORDER BY id').all()).toEqual([{ reason: 'before' }, { reason: 'after' }]);
    expect(verifyAuditChain(db).ok).toBe(true);
    db.close();
  });
});

describe('the write-ahead log', () => {
  it('is cut back after a burst grew it, not kept at its largest size on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-wal-'));
    dirs.push(dir);
    const file = join(dir, 'firewall.db');
    const db = openDatabase(file);
    const audit = createAuditLog(db);
    // A reader holding a snapshot keeps the checkpoint from restarting the log: it grows.
    const reader = openDatabase(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) FROM mcp_audit').get();
    for (let i = 0; i < 50; i++) audit.appendBatch(Array.from({ length: 50 }, (_, j) => ({ event: 'protocol' as const, decision: 'ERROR', reason: `${i}.${j} ${'x'.repeat(8000)}` })));
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(16 << 20);
    reader.exec('COMMIT');
    reader.close();
    // What the engine's own writes bring about: a checkpoint, then a write that starts the log over.
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    audit.append({ event: 'registry', decision: 'ALLOW', reason: 'after' });
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(16 << 20);
    db.close();
  });
});
