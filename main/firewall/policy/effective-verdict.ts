import { evaluatePolicy, type CompiledPolicy } from './evaluate.js';
import type { CallLabels, PolicyVerdict } from './types.js';

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
