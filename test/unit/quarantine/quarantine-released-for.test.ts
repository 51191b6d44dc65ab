import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createQuarantineService } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const held = (tool: string, argsDigest: string) => ({ sessionId: 's1', client: 'cursor', server: 'crm', tool, argsDigest, findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] });

describe('released results for a reconnecting shim', () => {
  it('delivers the readable ones when one of the server\'s released results does not decrypt, and audits that one once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qreleased-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    const key = randomBytes(32);
    const quarantine = createQuarantineService(db, createAuditLog(db), () => Promise.resolve([key]));
    const first = await quarantine.hold(held('read_a', 'da'), '{"result":{"k":"a"}}', 'shim');
    const damaged = await quarantine.hold(held('read_b', 'db'), '{"result":{"k":"b"}}', 'shim');
    const last = await quarantine.hold(held('read_c', 'dc'), '{"result":{"k":"c"}}', 'shim');
    for (const id of [first, damaged, last]) expect(await quarantine.release(id, 'cli')).toBe(true);
    db.prepare('UPDATE quarantine SET tag = ? WHERE id = ?').run(randomBytes(16), damaged);

    for (let reconnect = 0; reconnect < 2; reconnect++) {
      const delivered = await quarantine.releasedFor('crm');
      expect(delivered.map((r) => [r.id, r.payload]).sort()).toEqual([[first, '{"result":{"k":"a"}}'], [last, '{"result":{"k":"c"}}']].sort());
    }
    const errors = db.prepare("SELECT tool_name, args_digest, reason FROM mcp_audit WHERE decision = 'ERROR'").all();
    expect(errors).toEqual([{ tool_name: 'read_b', args_digest: null, reason: expect.stringMatching(new RegExp(`^${damaged} not delivered: the stored result ${damaged} cannot be decrypted: .* It stays released and nothing was deleted`)) }]);
    expect(quarantine.list().find((i) => i.id === damaged)!.status).toBe('released');
  });
});
