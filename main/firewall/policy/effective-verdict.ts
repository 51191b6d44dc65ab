import { evaluatePolicy, stricterVerdict, type CompiledPolicy } from './evaluate.js';
import type { ActionClass, CallLabels, PolicyVerdict } from './types.js';

export const EMERGENCY_RULE_ID = 'emergency-write-approval';

/**
 * The policy's verdict with the emergency switch applied: while it is on, every
 * non-read action needs a human, whatever the rules say (the seed's containment step 3).
 * Shared by the shim (on its snapshot) and the engine, so both reach the same answer.
 */
export function effectiveVerdict(policy: CompiledPolicy, labels: CallLabels, emergency: boolean): PolicyVerdict {
  const verdict = evaluatePolicy(policy, labels);
  if (emergency && labels['mcp.action'] !== 'read' && verdict.decision === 'ALLOW') {
    return { ...verdict, decision: 'REQUIRE_APPROVAL', ruleId: EMERGENCY_RULE_ID, reason: 'emergency write approval is on: every non-read action needs approval' };
  }
  return verdict;
}

/**
 * effectiveVerdict, and when annotations raised the call's class (readOnlyHint: false on a tool
 * its name calls a read), the stricter of it and the verdict of the class it had before: a
 * policy that asks about or denies a server's reads is not escaped by an annotation. The shim
 * (per tool) and the engine's gate (on each ask, and again when the answer comes) both use it.
 */
export function classVerdict(policy: CompiledPolicy, labels: CallLabels, emergency: boolean, beforeAnnotations: ActionClass | undefined): PolicyVerdict {
  const verdict = effectiveVerdict(policy, labels, emergency);
  if (beforeAnnotations === undefined || beforeAnnotations === labels['mcp.action']) return verdict;
  const before = effectiveVerdict(policy, { ...labels, 'mcp.action': beforeAnnotations }, emergency);
  return stricterVerdict(verdict, before, `its name makes it a ${beforeAnnotations}, and as one`);
}

/**
 * A guard, taint or DLP finding about this call (`escalation`) makes it wait for a person
 * unless the policy denies it. When the policy asks anyway, its rule stays the verdict's (the
 * gates read it) and the approver is told the finding as well.
 */
export function escalatedVerdict<V extends Pick<PolicyVerdict, 'decision' | 'ruleId' | 'reason'>>(verdict: V, escalation: { ruleId: string; reason: string } | undefined): V {
  if (!escalation || verdict.decision === 'DENY') return verdict;
  if (verdict.decision === 'ALLOW') return { ...verdict, decision: 'REQUIRE_APPROVAL', ruleId: escalation.ruleId, reason: escalation.reason };
  return { ...verdict, reason: `${verdict.reason}; ${escalation.reason}` };
}
