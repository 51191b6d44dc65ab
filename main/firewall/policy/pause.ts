import type { PolicyVerdict } from './types.js';

export const PAUSE_RULE_ID = 'protection-paused';

export function isPaused(pausedUntil: string | null, now = Date.now()): boolean {
  return pausedUntil !== null && Date.parse(pausedUntil) > now;
}

/**
 * "Pause protection" (tray, dashboard, `mcp-firewall pause`): for a while nobody is
 * asked — a call that would wait for approval goes through, audited as such, and the
 * seed's "unapproved write calls" gate sees every one of them. Hard DENY rules, the
 * registry, manifest pins and the output stage keep working, and emergency write
 * approval beats a pause: containment is not something a click should undo.
 */
export function pausedVerdict<V extends Pick<PolicyVerdict, 'decision' | 'ruleId' | 'reason'>>(verdict: V, pausedUntil: string | null, emergency: boolean): V {
  if (verdict.decision !== 'REQUIRE_APPROVAL' || emergency || !isPaused(pausedUntil)) return verdict;
  return { ...verdict, decision: 'ALLOW', ruleId: PAUSE_RULE_ID, reason: `protection paused until ${pausedUntil}; would have asked: ${verdict.reason}` };
}
