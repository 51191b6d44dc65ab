import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/firewall/engine.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('an engine that stops while a call waits for approval', () => {
  it('writes the denial of the withdrawn approval, with its id, before the database closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-close-pending-'));
    dirs.push(dir);
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000 });
    const asked = engine.gate.decide({
      sessionId: 's1', client: 'cursor', server: 'memory', method: 'tools/call', tool: 'create_entities', actionClass: 'write',
      argsDigest: 'sha256:d1', arguments: {}, requestId: '7',
    }, 'me@cursor', () => {});
    const [pending] = engine.approvals.list();
    expect(pending).toBeDefined();
    engine.close();
    await expect(asked.verdict).resolves.toMatchObject({ decision: 'DENY', approvalId: pending!.id });

    const db = openDatabase(join(dir, 'firewall.db'));
    try {
      const rows = db.prepare("SELECT event, decision, reason FROM mcp_audit WHERE approval_id = ?").all(pending!.id);
      expect(rows).toEqual([{ event: 'call', decision: 'DENY', reason: 'the call was cancelled while waiting for approval' }]);
    } finally {
      db.close();
    }
  });
});
