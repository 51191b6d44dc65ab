import type { GuardVerdict } from './session-guards.js';
import type { TaintHit } from './taint.js';

/**
 * Escalations about what the session is doing right now (a burst of calls, a chain with no
 * pause, a write after a run of untrusted reads), not about what the arguments hold. They
 * exist to stop a runaway agent in the moment, so no remembered answer stands in for a
 * person: "session" or "always" given to one would keep the guard from ever asking again
 * for those arguments, loop or not. Only "once" is accepted, and an earlier grant for the
 * same arguments does not cover them. (A loop, the other guard, is denied outright; taint
 * from untrusted text is about the arguments themselves, so "always" for them stays.)
 */
const ASKS_EVERY_TIME: ReadonlySet<string> = new Set<GuardVerdict['ruleId'] | TaintHit['ruleId']>([
  'guard-fan-out',
  'guard-chain-depth',
  'taint-retrieval-heavy',
]);

export function asksEveryTime(escalation: { ruleId: string } | undefined): boolean {
  return escalation !== undefined && ASKS_EVERY_TIME.has(escalation.ruleId);
}

/**
 * A call's findings as the one escalation it records: named by a finding that asks every time
 * if any does, or a grant would cover the call for the finding that does not (a secret allowed
 * "always" after a retrieval-heavy stretch), and giving every reason, so that the approver and
 * the audit row hear them all. Undefined when nothing was found.
 */
export function combinedEscalation<E extends { ruleId: string; reason: string }>(findings: ReadonlyArray<E | null | undefined>): E | undefined {
  // Every tools/call asks, and nearly all have no finding: that case allocates nothing.
  let named: E | undefined;
  let count = 0;
  for (const finding of findings) {
    if (finding == null) continue;
    count++;
    if (named === undefined || (!asksEveryTime(named) && asksEveryTime(finding))) named = finding;
  }
  if (named === undefined || count === 1) return named;
  const others = findings.filter((finding): finding is E => finding != null && finding !== named);
  return { ...named, reason: [named, ...others].map((finding) => finding.reason).join('; ') };
}
