import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchGates } from '../../../main/firewall/gates/gate-watch.js';
import { cleanTrails, freshTrail } from './trail.js';

afterEach(cleanTrails);

describe('gate watch, one gate failing', () => {
  it('still pages the other gates when one gate\'s notice keeps failing', () => {
    // Only the watch's timer is faked (the rows keep the real clock): the seven ticks below
    // certainly ran, however busy the box, so the failing gate had its retries.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { db, audit } = freshTrail('mcpfw-gates-');
    audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write', actorId: 'me@cursor' });
    audit.append({ event: 'registry', decision: 'DENY', serverName: 'stranger', ruleId: 'registry-shadow', reason: 'not in the registry' });
    const paged: string[] = [];
    let failing: string | undefined;
    const watch = watchGates(db, audit, (gate) => {
      failing ??= gate.id; // the first gate announced never gets its notice out
      if (gate.id === failing) throw new Error('notifier down for this gate');
      paged.push(gate.id);
    }, 20);
    vi.advanceTimersByTime(7 * 20);
    watch.stop();
    expect(failing).toBeDefined();
    expect(paged.length).toBe(1);
    expect(paged[0]).not.toBe(failing);
    db.close();
  });
});
