import { describe, expect, it } from 'vitest';
import type { ClientSession } from '../../../main/firewall/http/client-session.js';
import { makeRoom, sessionCapMessage } from '../../../main/firewall/http/session-cap.js';

const NOW = 1_000_000;
const cap = { max: 3, evictAfterIdleMs: 60_000 };

/** A session idle since `since` (null: a request or stream open), which notes being ended. */
function session(since: number | null): ClientSession & { ended: boolean } {
  return { id: String(since), ended: false, finished: Promise.resolve(), whenAccepting: () => undefined, idleSince: () => since, end() { this.ended = true; } };
}

describe('the bound on sessions to one server', () => {
  it('lets a session in while there is room, ending none', () => {
    const open = [session(NOW - 120_000), session(null)];
    expect(makeRoom(open, cap, 0, NOW)).toBe(true);
    expect(open.some((s) => s.ended)).toBe(false);
  });

  it('never ends a session idle only a moment (between two requests of its client) or one with work in flight: the new one is refused', () => {
    const open = [session(NOW - 1), session(NOW - 59_999), session(null)];
    expect(makeRoom(open, cap, 0, NOW)).toBe(false);
    expect(open.some((s) => s.ended)).toBe(false);
  });

  it('ends the session idle longest once it has been idle past the threshold', () => {
    const open = [session(NOW - 61_000), session(NOW - 600_000), session(NOW - 5)];
    expect(makeRoom(open, cap, 0, NOW)).toBe(true);
    expect(open.map((s) => s.ended)).toEqual([false, true, false]);
  });

  it('counts the sessions still winding down after their clients ended them, which nothing can end sooner', () => {
    const open = [session(NOW - 600_000)];
    expect(makeRoom(open, cap, 1, NOW)).toBe(true);
    expect(makeRoom(open, cap, 2, NOW)).toBe(true); // the long-idle one made room
    expect(open[0]!.ended).toBe(true);
    expect(makeRoom([session(null)], cap, 2, NOW)).toBe(false);
  });

  it('says in its refusal how many, for which server, and what to do', () => {
    expect(sessionCapMessage('docs', cap)).toMatch(/^Service Unavailable: 3 sessions to 'docs' are open and busy \(none idle for 1 minute\); end one, or retry later/);
  });
});
