import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// A throwaway audit trail for gate tests, rows appended the way the engine appends them.

export const T0 = Date.parse('2026-05-01T12:00:00.000Z');
export const MINUTE = 60_000;

const dirs: string[] = [];

/** For afterEach: real timers back, every trail of the test removed. */
export function cleanTrails(): void {
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
}

export function freshTrail(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  return { db, audit: createAuditLog(db) };
}
