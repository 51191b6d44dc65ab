import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createQuarantineService, type ReleasedResult } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const item = { sessionId: 's1', client: 'cursor', server: 'crm', tool: 'read_key', argsDigest: 'd1', findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] };

function service(loadKey: () => Promise<Buffer[]> = () => Promise.resolve([randomBytes(32)])) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qstate-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const quarantine = createQuarantineService(db, createAuditLog(db), loadKey);
  const released: ReleasedResult[] = [];
  quarantine.onReleased((r) => released.push(r));
  const rows = () => db.prepare("SELECT decision FROM mcp_audit WHERE rule_id = 'output-quarantine' ORDER BY id").all().map((r) => (r as { decision: string }).decision);
  return { quarantine, released, rows };
}

describe('the quarantine state machine', () => {
  it('names each held result with 128 random bits (22 base64url characters)', async () => {
    const { quarantine } = service();
    const ids = await Promise.all([1, 2, 3].map(() => quarantine.hold(item, '{"result":{}}', 'shim')));
    for (const id of ids) expect(id).toMatch(/^qtn_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('releases a result once when two releases race (each awaits the key between its check and its write)', async () => {
    const { quarantine, released, rows } = service();
    const id = await quarantine.hold(item, '{"result":{"k":"v"}}', 'shim');
    const outcomes = await Promise.all([quarantine.release(id, 'a'), quarantine.release(id, 'b')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(released).toHaveLength(1);
    expect(rows()).toEqual(['QUARANTINE', 'RELEASED']);
  });

  it('refuses to drop a released result, which the shims already hold for the retry', async () => {
    const { quarantine, released, rows } = service();
    const id = await quarantine.hold(item, '{"result":{"k":"v"}}', 'shim');
    expect(await quarantine.release(id, 'a')).toBe(true);
    expect(released).toHaveLength(1);
    // A DROPPED row saying "the payload is deleted" would be false: the retry still receives it.
    expect(quarantine.drop(id, 'b')).toBe(false);
    expect(quarantine.list()[0]!.status).toBe('released');
    expect(rows()).toEqual(['QUARANTINE', 'RELEASED']);
  });

  it('takes a delivery notice only for a released result, never wiping one still held or reviving a dropped one', async () => {
    const { quarantine } = service();
    const held = await quarantine.hold(item, '{"result":{"k":"held"}}', 'shim');
    quarantine.delivered(held);
    expect(quarantine.list().find((i) => i.id === held)!.status).toBe('held');
    expect((await quarantine.show(held))!.payload).toBe('{"result":{"k":"held"}}');

    const dropped = await quarantine.hold(item, '{"result":{"k":"dropped"}}', 'shim');
    expect(quarantine.drop(dropped, 'a')).toBe(true);
    quarantine.delivered(dropped);
    expect(quarantine.list().find((i) => i.id === dropped)!.status).toBe('dropped');
    expect(await quarantine.release(dropped, 'a')).toBe(false);
  });
});
