import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import type { GateStatus } from '../../../main/firewall/gates/gate-status.js';
import { watchGates } from '../../../main/firewall/gates/gate-watch.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

// Only the watch's timer is faked, not the clock the rows are stamped with: the ticks then
// certainly ran (a busy box cannot make a real 20 ms interval tick fewer times than the test
// counted on), so "paged once" and "not paged again" are both about the watch, not the box.
const fakeTheWatchTimer = () => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });

function trailWithAnUnapprovedWrite() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-gates-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const audit = createAuditLog(db);
  audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write', actorId: 'me@cursor' });
  return { db, audit };
}

const pagesAfterTicks = (watchFor: () => GateStatus[], ticks: number) => {
  vi.advanceTimersByTime(ticks * 20);
  return watchFor().map((g) => g.id);
};

describe('gate watch', () => {
  it('pages a gate already over its threshold when the engine starts, unless the trail shows it paged', () => {
    fakeTheWatchTimer();
    const { db, audit } = trailWithAnUnapprovedWrite();
    const paged: GateStatus[] = [];
    const first = watchGates(db, audit, (gate) => paged.push(gate), 20);
    const ids = pagesAfterTicks(() => paged, 6);
    first.stop();
    expect(ids.length).toBe(1);

    // A restart while the incident goes on: the trail's last word is the PAGE, so no second page.
    const again: GateStatus[] = [];
    const second = watchGates(db, audit, (gate) => again.push(gate), 20);
    expect(pagesAfterTicks(() => again, 6)).toEqual([]);
    second.stop();
    db.close();
  });

  it('tries a page again when its notice failed, instead of losing it', () => {
    fakeTheWatchTimer();
    const { db, audit } = trailWithAnUnapprovedWrite();
    let calls = 0;
    const watch = watchGates(db, audit, () => {
      calls += 1;
      if (calls === 1) throw new Error('notifier down');
    }, 20);
    vi.advanceTimersByTime(7 * 20); // seven ticks: the failed one, the retry, five that must not notify again
    watch.stop();
    expect(calls).toBe(2);
    db.close();
  });
});
