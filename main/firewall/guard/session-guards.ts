import type { GuardLimits } from '../policy/types.js';

export interface GuardVerdict {
  decision: 'DENY' | 'REQUIRE_APPROVAL';
  ruleId: 'guard-loop' | 'guard-fan-out' | 'guard-chain-depth';
  reason: string;
}

export interface SessionGuards {
  /** Counts the call and says whether it crosses a limit (null: within limits). */
  check(callKey: string, now: number, limits: GuardLimits): GuardVerdict | null;
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
  const recent: number[] = [];
  const identical = new Map<string, number[]>();

  return {
    check(callKey, now, limits) {
      chainDepth = lastCall !== 0 && now - lastCall < limits.quietGapSec * 1000 ? chainDepth + 1 : 1;
      lastCall = now;
      const minuteAgo = now - 60_000;
      recent.push(now);
      while (recent.length > 0 && recent[0]! < minuteAgo) recent.shift();
      const same = (identical.get(callKey) ?? []).filter((t) => t >= minuteAgo);
      same.push(now);
      identical.set(callKey, same);
      if (identical.size > 1_000) for (const [key, times] of identical) if (times.every((t) => t < minuteAgo)) identical.delete(key);

      if (same.length > limits.maxIdenticalCalls) {
        return { decision: 'DENY', ruleId: 'guard-loop', reason: `the same call was made ${same.length} times within a minute (limit ${limits.maxIdenticalCalls}): a loop` };
      }
      if (recent.length > limits.maxCallsPerMinute) {
        return { decision: limits.onExceed, ruleId: 'guard-fan-out', reason: `${recent.length} calls within a minute (limit ${limits.maxCallsPerMinute})` };
      }
      if (chainDepth > limits.maxChainDepth) {
        return { decision: limits.onExceed, ruleId: 'guard-chain-depth', reason: `chain depth ${chainDepth} without a ${limits.quietGapSec}s pause (limit ${limits.maxChainDepth})` };
      }
      return null;
    },
  };
}
