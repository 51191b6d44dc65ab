import type { GuardLimits } from '../policy/types.js';

export interface GuardVerdict {
  decision: 'DENY' | 'REQUIRE_APPROVAL';
  ruleId: 'guard-loop' | 'guard-fan-out' | 'guard-chain-depth';
  reason: string;
}

export interface SessionGuards {
  /** Counts the call and says whether it crosses a limit (null: within limits). */
  check(callKey: string, now: number, limits: GuardLimits): GuardVerdict | null;
  /** How many distinct calls the loop check holds a window for. */
  remembered(): number;
}

const SECONDS = 60;
const WINDOW_MS = 60_000;
/** The most windows kept: past it they are all dropped (a session of ever-new calls). */
const MAX_WINDOWS = 10_000;
/** Windows whose minute is over are swept out from this many on (see check). */
const SWEEP_FROM = 256;

/**
 * Calls in the last minute, counted in one-second buckets: O(1) per call however
 * many calls a minute holds (the hot path pays for this on every tools/call).
 */
function createMinuteCounter() {
  const buckets = new Int32Array(SECONDS);
  let lastSecond = 0;
  let total = 0;
  return (now: number): number => {
    const second = Math.floor(now / 1000);
    const gap = Math.min(second - lastSecond, SECONDS);
    for (let i = 1; i <= gap; i++) {
      const slot = (lastSecond + i) % SECONDS;
      total -= buckets[slot]!;
      buckets[slot] = 0;
    }
    if (gap > 0 || lastSecond === 0) lastSecond = second;
    buckets[second % SECONDS]!++;
    return ++total;
  };
}

/**
 * Per client session (one shim): chain depth (calls since the last quiet gap), calls per
 * minute, and identical calls within a minute. The seed's risk 6: an output that makes
 * the model call again, and again. Identical-call loops are denied outright; the others
 * ask (or deny, per policy) and every crossing is audited for the fan-out gate.
 */
export function createSessionGuards(): SessionGuards {
  let chainDepth = 0;
  let lastCall = 0;
  const perMinute = createMinuteCounter();
  // Identical calls in a fixed one-minute window from the first of them: O(1), and a
  // loop of the same call cannot hide from it.
  const identical = new Map<string, { since: number; count: number }>();
  // A window whose minute is over reads as no window, but stayed in the table until 10,000
  // had piled up: a shim that ran for days making calls of ever-new arguments held ~2.5 MB
  // of them, nearly all expired. They are swept out whenever the table has doubled since the
  // last sweep: a pass over it per as many new windows, nothing on the call that repeats one.
  let sweepAt = SWEEP_FROM;

  return {
    check(callKey, now, limits) {
      chainDepth = lastCall !== 0 && now - lastCall < limits.quietGapSec * 1000 ? chainDepth + 1 : 1;
      lastCall = now;
      const calls = perMinute(now);
      let same = identical.get(callKey);
      if (!same || now - same.since >= WINDOW_MS) {
        same = { since: now, count: 0 };
        if (identical.size >= MAX_WINDOWS) identical.clear();
        else if (identical.size >= sweepAt) {
          for (const [key, window] of identical) if (now - window.since >= WINDOW_MS) identical.delete(key);
          sweepAt = Math.max(SWEEP_FROM, identical.size * 2);
        }
        identical.set(callKey, same);
      }
      same.count++;

      if (same.count > limits.maxIdenticalCalls) {
        return { decision: 'DENY', ruleId: 'guard-loop', reason: `the same call was made ${same.count} times within a minute (limit ${limits.maxIdenticalCalls}): a loop` };
      }
      if (calls > limits.maxCallsPerMinute) {
        return { decision: limits.onExceed, ruleId: 'guard-fan-out', reason: `${calls} calls within a minute (limit ${limits.maxCallsPerMinute})` };
      }
      if (chainDepth > limits.maxChainDepth) {
        return { decision: limits.onExceed, ruleId: 'guard-chain-depth', reason: `chain depth ${chainDepth} without a ${limits.quietGapSec}s pause (limit ${limits.maxChainDepth})` };
      }
      return null;
    },
    remembered: () => identical.size,
  };
}
