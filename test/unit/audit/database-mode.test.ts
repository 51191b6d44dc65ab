import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the database file', () => {
  it('is this user\'s alone, its WAL too, even in a data dir others may read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-db-mode-'));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    const umask = process.umask(0o022);
    try {
      const file = join(dir, 'firewall.db');
      const db = openDatabase(file);
      createAuditLog(db).append({ event: 'call', decision: 'ALLOW' });
      expect(mode(file)).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(mode(`${file}-wal`)).toBe(0o600);
      db.close();
    } finally {
      process.umask(umask);
    }
  });

  it('is narrowed when an older install left it readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-db-mode-'));
    dirs.push(dir);
    const file = join(dir, 'firewall.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(mode(file)).toBe(0o600);
  });
});
