import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { evaluateGates } from '../../../main/firewall/gates/gates.js';
import { loadQuarantineKey } from '../../../main/firewall/quarantine/quarantine-key.js';
import { createQuarantineService } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const item = { sessionId: 's1', client: 'cursor', server: 'crm', tool: 'read_key', argsDigest: 'd1', findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] };

function trail() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qholdfail-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const rows = () => db.prepare("SELECT event, decision, server_name AS server, tool_name AS tool, args_digest AS digest, rule_id AS rule, reason FROM mcp_audit ORDER BY id").all();
  return { dir, db, audit: createAuditLog(db), rows };
}

// The QUARANTINE ratio gate counts QUARANTINE rows: a withheld result that left none would be unseen.
describe('a result the quarantine could not store', () => {
  it('leaves a QUARANTINE row when the quarantine key is malformed, and the ratio gate counts it', async () => {
    const { dir, db, audit, rows } = trail();
    const keyFile = join(dir, 'quarantine.key');
    writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
    const quarantine = createQuarantineService(db, audit, async () => [(await loadQuarantineKey(null, keyFile)).key]);
    await expect(quarantine.hold(item, '{"result":{}}', 'shim')).rejects.toThrow(/is malformed/);
    expect(rows()).toEqual([
      { event: 'result', decision: 'QUARANTINE', server: 'crm', tool: 'read_key', digest: 'd1', rule: 'output-quarantine', reason: expect.stringMatching(/^withheld and not kept: the quarantine key in .* is malformed/) },
    ]);
    const gate = evaluateGates(db).find((g) => g.id === 'quarantine-ratio')!;
    expect(gate.detail).toMatch(/^1 of 1 /);
  });

  it('leaves a QUARANTINE row when the store refuses the write', async () => {
    const { db, audit, rows } = trail();
    const quarantine = createQuarantineService(db, audit, () => Promise.resolve([Buffer.alloc(32, 1)]));
    db.exec('DROP TABLE quarantine');
    await expect(quarantine.hold(item, '{"result":{}}', 'shim')).rejects.toThrow(/no such table/);
    expect(rows()).toEqual([expect.objectContaining({ decision: 'QUARANTINE', reason: expect.stringMatching(/^withheld and not kept: .*no such table/) })]);
  });
});
