import { inspectArguments } from '../output/index.js';
import type { PolicySpec } from '../policy/types.js';

export interface ArgumentLeak {
  decision: 'REQUIRE_APPROVAL' | 'DENY';
  ruleId: 'dlp-arguments';
  reason: string;
  /** The types found, for a reason of the caller's own: `github-token, email` (never the values). */
  found: string;
}

/**
 * DLP on the way out: a secret or personal data in a call's arguments (a token pasted
 * into an issue, a key in a fetched URL) is decided by policy, for reads as much as for
 * writes — exfiltration through a read's query string is the classic route.
 */
export function argumentLeak(args: unknown, output: PolicySpec['output'], requestLine?: string): ArgumentLeak | null {
  if (output.argumentsWithSecrets === 'ALLOW') return null;
  const verdict = inspectArguments(args, output, requestLine);
  const leaking = verdict.findings.filter((f) => f.family !== 'injection');
  if (leaking.length === 0) return null;
  const types = [...new Set(leaking.map((f) => f.type))].join(', ');
  return { decision: output.argumentsWithSecrets, ruleId: 'dlp-arguments', reason: `its arguments carry ${types}`, found: types };
}
