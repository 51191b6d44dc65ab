import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPauseState, pausedVerdict } from '../../../main/firewall/policy/pause.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A wall clock one can set back, and a monotonic one that only moves with elapsed time. */
function fakeClock(start = Date.parse('2026-06-01T12:00:00Z')) {
  let wall = start;
  let monotonic = 1_000;
  return {
    clock: { wall: () => wall, monotonic: () => monotonic },
    elapse(ms: number) {
      wall += ms;
      monotonic += ms;
    },
    setWall(ms: number) {
      wall = ms;
    },
    wall: () => wall,
  };
}

describe('a pause kept by the monotonic clock', () => {
  it('ends after the time granted even when the wall clock is set back meanwhile', () => {
    const t = fakeClock();
    const pause = createPauseState(t.clock);
    const until = new Date(t.wall() + 15 * MINUTE).toISOString();
    pause.set(until, 15 * MINUTE);
    t.elapse(5 * MINUTE);
    t.setWall(t.wall() - HOUR);
    expect(pause.current()).toBe(until);
    // A snapshot repeating the same pause must not re-read the (now earlier) wall clock.
    pause.set(until);
    t.elapse(10 * MINUTE + 1);
    expect(pause.current()).toBeNull();
    expect(pause.remainingMs()).toBe(0);
  });

  it('lasts no longer than granted when read back (a restart) on a clock set back since', () => {
    const t = fakeClock();
    const until = new Date(t.wall() + 15 * MINUTE).toISOString();
    t.setWall(t.wall() - HOUR);
    const restarted = createPauseState(t.clock);
    restarted.set(until, 15 * MINUTE);
    t.elapse(15 * MINUTE + 1);
    expect(restarted.current()).toBeNull();
    // Without the length it was granted for (a shim's snapshot), at most a day.
    const shim = createPauseState(t.clock);
    shim.set(new Date(t.wall() + 3 * 24 * HOUR).toISOString());
    t.elapse(24 * HOUR + 1);
    expect(shim.current()).toBeNull();
  });

  it('ends early when the wall clock is set forward past its end (asking sooner is safe), and on resume', () => {
    const t = fakeClock();
    const pause = createPauseState(t.clock);
    pause.set(new Date(t.wall() + 15 * MINUTE).toISOString(), 15 * MINUTE);
    t.setWall(t.wall() + HOUR);
    expect(pause.current()).toBeNull();
    const again = createPauseState(t.clock);
    again.set(new Date(t.wall() + 15 * MINUTE).toISOString(), 15 * MINUTE);
    again.set(null);
    expect(again.current()).toBeNull();
  });
});

describe('the verdict during a pause', () => {
  afterEach(() => vi.restoreAllMocks());

  it('follows the one reading the pause state made, even when the pause ends right after it', () => {
    const end = Date.parse('2026-06-01T12:15:00Z');
    // The wall clock as the engine reads it: set, then current(), then nothing else may read it.
    const readings = [end - 15 * MINUTE, end - 1, end + 1];
    vi.spyOn(Date, 'now').mockImplementation(() => readings.shift() ?? end + HOUR);
    const pause = createPauseState();
    pause.set(new Date(end).toISOString(), 15 * MINUTE);
    const until = pause.current();
    expect(until).not.toBeNull();
    const asked = { decision: 'REQUIRE_APPROVAL' as const, ruleId: 'ask-writes', reason: 'writes ask' };
    expect(pausedVerdict(asked, until, false, undefined)).toMatchObject({ decision: 'ALLOW', ruleId: 'protection-paused' });
    expect(pausedVerdict(asked, pause.current(), false, undefined)).toEqual(asked);
  });
});
