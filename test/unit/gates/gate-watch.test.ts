import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import type { GateStatus } from '../../../main/firewall/gates/gate-status.js';
import { watchGates } from '../../../main/firewall/gates/gate-watch.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function trailWithAnUnapprovedWrite() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-gates-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const audit = createAuditLog(db);
  audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write', actorId: 'me@cursor' });
  return { db, audit };
}

const pagesWithin = async (watchFor: () => GateStatus[], ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return watchFor().map((g) => g.id);
};

describe('gate watch', () => {
  it('pages a gate already over its threshold when the engine starts, unless the trail shows it paged', async () => {
    const { db, audit } = trailWithAnUnapprovedWrite();
    const paged: GateStatus[] = [];
    const first = watchGates(db, audit, (gate) => paged.push(gate), 20);
    const ids = await pagesWithin(() => paged, 120);
    first.stop();
    expect(ids.length).toBe(1);

    // A restart while the incident goes on: the trail's last word is the PAGE, so no second page.
    const again: GateStatus[] = [];
    const second = watchGates(db, audit, (gate) => again.push(gate), 20);
    expect(await pagesWithin(() => again, 120)).toEqual([]);
    second.stop();
    db.close();
  });

  it('tries a page again when its notice failed, instead of losing it', async () => {
    const { db, audit } = trailWithAnUnapprovedWrite();
    let calls = 0;
    const watch = watchGates(db, audit, () => {
      calls += 1;
      if (calls === 1) throw new Error('notifier down');
    }, 20);
    await new Promise((resolve) => setTimeout(resolve, 150));
    watch.stop();
    expect(calls).toBe(2);
    db.close();
  });
});
