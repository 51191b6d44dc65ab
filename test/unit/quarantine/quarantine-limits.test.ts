import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createQuarantineService, QUARANTINE_LIMITS, type QuarantineLimits } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const item = (server: string) => ({ sessionId: 's1', client: 'cursor', server, tool: 'read_key', argsDigest: 'd1', findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] });
const payload = (chars: number) => JSON.stringify({ result: { text: 'k'.repeat(chars) } });

function service(limits: Partial<QuarantineLimits>) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qlimits-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const key = randomBytes(32);
  const make = () => createQuarantineService(db, createAuditLog(db), () => Promise.resolve([key]), { ...QUARANTINE_LIMITS, ...limits });
  const rows = () => db.prepare("SELECT decision, actor_id AS actor, reason FROM mcp_audit WHERE rule_id = 'output-quarantine' ORDER BY id").all() as Array<{ decision: string; actor: string; reason: string }>;
  const stored = () => Number((db.prepare('SELECT COUNT(*) AS n FROM quarantine WHERE payload IS NOT NULL').get() as { n: number }).n);
  return { quarantine: make(), make, rows, stored };
}

describe('what a server can make the quarantine keep', () => {
  it('withholds but does not keep a result past the per-server count, and says so in the error and the audit', async () => {
    const { quarantine, rows, stored } = service({ serverItems: 2 });
    await quarantine.hold(item('crm'), payload(10), 'shim');
    await quarantine.hold(item('crm'), payload(10), 'shim');
    await expect(quarantine.hold(item('crm'), payload(10), 'shim')).rejects.toThrow(/quarantine is full: 'crm' already has 2 quarantined results kept, the most kept per server/);
    expect(stored()).toBe(2);
    expect(rows().at(-1)).toMatchObject({ decision: 'QUARANTINE', reason: expect.stringMatching(/^withheld and not kept: 'crm' already has 2/) });
    // Another server is not held hostage by this one; a drop makes room again.
    await quarantine.hold(item('notes'), payload(10), 'shim');
    quarantine.drop(quarantine.list('held').find((i) => i.server === 'crm')!.id, 'me');
    await quarantine.hold(item('crm'), payload(10), 'shim');
    expect(stored()).toBe(3);
  });

  it('refuses to keep past the per-server bytes and the global count and bytes', async () => {
    const perServer = service({ serverBytes: 1000 });
    await perServer.quarantine.hold(item('crm'), payload(600), 'shim');
    await expect(perServer.quarantine.hold(item('crm'), payload(600), 'shim')).rejects.toThrow(/'crm' would keep more than .* MiB/);
    const total = service({ totalItems: 2 });
    await total.quarantine.hold(item('a'), payload(1), 'shim');
    await total.quarantine.hold(item('b'), payload(1), 'shim');
    await expect(total.quarantine.hold(item('c'), payload(1), 'shim')).rejects.toThrow(/2 quarantined results are kept, the most kept in all/);
    const bytes = service({ totalBytes: 1000 });
    await bytes.quarantine.hold(item('a'), payload(600), 'shim');
    await expect(bytes.quarantine.hold(item('b'), payload(600), 'shim')).rejects.toThrow(/would take more than .* MiB, the most kept in all/);
    expect(bytes.stored()).toBe(1);
  });

  it('deletes held and released results nobody took after the keeping time, at start and on the next hold', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { quarantine, make, rows, stored } = service({ keepDays: 30 });
    const old = await quarantine.hold(item('crm'), payload(10), 'shim');
    const released = await quarantine.hold(item('crm'), payload(10), 'shim');
    await quarantine.release(released, 'me');
    vi.setSystemTime(new Date('2026-01-20T00:00:00Z'));
    const recent = await quarantine.hold(item('crm'), payload(10), 'shim');
    vi.setSystemTime(new Date('2026-02-05T00:00:00Z'));
    make();
    expect(quarantine.list().map((i) => [i.id, i.status]).sort()).toEqual([[old, 'dropped'], [released, 'dropped'], [recent, 'held']].sort());
    expect(stored()).toBe(1);
    expect(rows().filter((r) => r.actor === 'expiry').map((r) => r.reason).sort()).toEqual([
      `${old} held for more than 30 days without being delivered; the payload is deleted`,
      `${released} released for more than 30 days without being delivered; the payload is deleted`,
    ].sort());
    vi.setSystemTime(new Date('2026-02-25T00:00:00Z'));
    await quarantine.hold(item('notes'), payload(10), 'shim');
    expect(quarantine.list().find((i) => i.id === recent)!.status).toBe('dropped');
  });

  it('counts a released result\'s keeping time from its release, not from when it was held', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { quarantine, make } = service({ keepDays: 30 });
    const late = await quarantine.hold(item('crm'), payload(10), 'shim');
    vi.setSystemTime(new Date('2026-01-29T00:00:00Z'));
    await quarantine.release(late, 'me');
    vi.setSystemTime(new Date('2026-02-05T00:00:00Z'));
    make();
    expect(quarantine.list().find((i) => i.id === late)!.status).toBe('released');
  });
});
