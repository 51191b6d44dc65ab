import { describe, expect, it } from 'vitest';
import { createDashboardSessions } from '../../../main/firewall/api/dashboard-sessions.js';

describe('dashboard sessions', () => {
  it('gives every login its own random id of 256 bits', () => {
    const sessions = createDashboardSessions();
    const first = sessions.open();
    const second = sessions.open();
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(second).not.toBe(first);
    expect(sessions.isLive(first)).toBe(true);
    expect(sessions.isLive(second)).toBe(true);
    expect(sessions.isLive('not-a-session')).toBe(false);
  });

  it('ends a session on logout and leaves the others live', () => {
    const sessions = createDashboardSessions();
    const mine = sessions.open();
    const other = sessions.open();
    expect(sessions.end(mine)).toBe(true);
    expect(sessions.isLive(mine)).toBe(false);
    expect(sessions.end(mine)).toBe(false); // already ended
    expect(sessions.isLive(other)).toBe(true);
  });

  it('refuses a session once its lifetime since login has passed, however busy it was', () => {
    let now = 1_000;
    const sessions = createDashboardSessions({ lifetimeMs: 60_000, now: () => now });
    const id = sessions.open();
    now += 59_999;
    expect(sessions.isLive(id)).toBe(true);
    now += 1;
    expect(sessions.isLive(id)).toBe(false);
    expect(sessions.end(id)).toBe(false);
  });

  it('ends every live session at once, and counts them', () => {
    let now = 0;
    const sessions = createDashboardSessions({ lifetimeMs: 10, now: () => now });
    const expired = sessions.open();
    now = 5;
    const ids = [sessions.open(), sessions.open()];
    now = 10; // `expired` has ended by itself and is not counted
    expect(sessions.isLive(expired)).toBe(false);
    expect(sessions.endAll()).toBe(2);
    for (const id of ids) expect(sessions.isLive(id)).toBe(false);
    expect(sessions.endAll()).toBe(0);
  });

  it('ends the oldest session when more are opened than it keeps', () => {
    const sessions = createDashboardSessions({ max: 2 });
    const oldest = sessions.open();
    const middle = sessions.open();
    const newest = sessions.open();
    expect(sessions.isLive(oldest)).toBe(false);
    expect(sessions.isLive(middle)).toBe(true);
    expect(sessions.isLive(newest)).toBe(true);
  });
});
