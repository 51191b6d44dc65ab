// How soon the firewall's next own look at one kind may go out. Each list_changed asks for a
// look, and a server that sends one right after each of our lists' answers had us list, and
// the engine check each list, at wire speed: ~800 looks a second for as long as the session
// lasted (each look that went through was followed by another), or until the deadline when
// the notice beat the engine's check. A look asked for close behind the one before still goes
// at once (a change right after the session's first look is common); from the next in a row
// they are spaced out, the space doubling each time up to a bound. Once the server has been
// quiet a while they go at once again.

import { monotonicMs } from '../monotonic.js';

/** The space before the second look in a row asked for close behind the one before. */
const FIRST_PAUSE_MS = 50;
/**
 * The most a look waits behind the one before: under LOOK_WAIT_MS, so a request that waits for
 * a paced look is still answered by it (a look every 5 s for a server that never stops).
 */
const MAX_PAUSE_MS = 5_000;
/** Quiet, past the space, after which the next look goes at once and the spacing starts over. */
const QUIET_MS = 1_000;

export interface LookPace {
  /** How long the look asked for now waits (0: at once). Asked once per look. */
  wait(): number;
  /** The look went out. */
  sent(): void;
}

/** `now`: a monotonic clock (setting the wall clock back must not hold looks back). */
export function createLookPace(now: () => number = monotonicMs): LookPace {
  let pause = 0;
  let lastSent = -Infinity;
  // Looks in a row asked for close behind the one before.
  let closeBehind = 0;
  return {
    wait() {
      const at = now();
      closeBehind = at - lastSent >= pause + QUIET_MS ? 0 : closeBehind + 1;
      // A burst of changes (a server bringing several sources up) is still checked within a second or two.
      pause = closeBehind < 2 ? 0 : Math.min(FIRST_PAUSE_MS * 2 ** (closeBehind - 2), MAX_PAUSE_MS);
      return Math.max(0, lastSent + pause - at);
    },
    sent() {
      lastSent = now();
    },
  };
}
