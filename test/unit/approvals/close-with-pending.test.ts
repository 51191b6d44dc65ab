import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { askAboutWrite, engineWithDefaultPolicy } from '../../helpers/engine-asking.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('an engine that stops while a call waits for approval', () => {
  it('writes the denial of the withdrawn approval, with its id, before the database closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-close-pending-'));
    dirs.push(dir);
    const engine = engineWithDefaultPolicy(dir);
    const { asked, pending } = askAboutWrite(engine);
    engine.close();
    await expect(asked.verdict).resolves.toMatchObject({ decision: 'DENY', approvalId: pending.id });

    const db = openDatabase(join(dir, 'firewall.db'));
    try {
      const rows = db.prepare("SELECT event, decision, reason FROM mcp_audit WHERE approval_id = ?").all(pending.id);
      expect(rows).toEqual([{ event: 'call', decision: 'DENY', reason: 'the call was cancelled while waiting for approval' }]);
    } finally {
      db.close();
    }
  });
});
