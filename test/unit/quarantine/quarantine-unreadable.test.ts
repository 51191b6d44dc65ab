import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUARANTINE_ROUTES } from '../../../main/firewall/api/quarantine-routes.js';
import { httpStatusOf } from '../../../main/firewall/api/http-status.js';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { createQuarantineService } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const item = { sessionId: 's1', client: 'cursor', server: 'crm', tool: 'read_key', argsDigest: 'd1', findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] };

function database() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qunread-'));
  dirs.push(dir);
  return openDatabase(join(dir, 'firewall.db'));
}

const serviceWith = (db: ReturnType<typeof openDatabase>, key: Buffer) => createQuarantineService(db, createAuditLog(db), () => Promise.resolve([key]));
const storedPayload = (db: ReturnType<typeof openDatabase>, id: string) =>
  (db.prepare('SELECT status, payload FROM quarantine WHERE id = ?').get(id) as { status: string; payload: Uint8Array | null });

const UNREADABLE = /^the stored result qtn_\S+ cannot be decrypted: it is damaged, or it was encrypted under another quarantine key .*It stays held and nothing was deleted: put the original key back to read it, or discard it with `mcp-firewall quarantine drop qtn_\S+`$/;

describe('a quarantined result that no longer decrypts', () => {
  it('says the key was replaced or the payload damaged when shown or released under another key, and keeps it held', async () => {
    const db = database();
    const id = await serviceWith(db, randomBytes(32)).hold(item, '{"result":{"k":"v"}}', 'shim');
    const before = storedPayload(db, id);
    const replaced = serviceWith(db, randomBytes(32));
    await expect(replaced.show(id)).rejects.toThrow(UNREADABLE);
    await expect(replaced.release(id, 'cli')).rejects.toThrow(UNREADABLE);
    expect(storedPayload(db, id)).toEqual(before);
    expect(replaced.list()[0]!.status).toBe('held');
    // It can still be dropped: that needs no key.
    expect(replaced.drop(id, 'cli')).toBe(true);
  });

  it('says the same for a truncated payload, and the control API answers 409 with it', async () => {
    const db = database();
    const key = randomBytes(32);
    const quarantine = serviceWith(db, key);
    const id = await quarantine.hold(item, '{"result":{"k":"a longer value"}}', 'shim');
    db.prepare('UPDATE quarantine SET payload = substr(payload, 1, 5) WHERE id = ?').run(id);
    await expect(quarantine.show(id)).rejects.toThrow(UNREADABLE);

    const engine = { quarantine } as unknown as Engine;
    const route = (method: string, path: string) => {
      const found = QUARANTINE_ROUTES.find(([m, pattern]) => m === method && pattern.test(path))!;
      return Promise.resolve(found[2]({ engine, params: found[1].exec(path)!.slice(1), url: new URL(`http://127.0.0.1${path}`) }));
    };
    for (const [method, path] of [['GET', `/api/quarantine/${id}`], ['POST', `/api/quarantine/${id}/release`]] as const) {
      const failure = await route(method, path).catch((error: unknown) => error);
      expect(httpStatusOf(failure)).toBe(409);
      expect(failure).toMatchObject({ message: expect.stringMatching(UNREADABLE) });
    }
    expect(storedPayload(db, id).status).toBe('held');
  });
});
