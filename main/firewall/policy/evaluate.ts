import { compileGlob, type GlobMatcher } from './glob.js';
import {
  DECISION_RANK,
  READ_ONLY_TAG,
  type ActionClass,
  type CallLabels,
  type Constraints,
  type Decision,
  type LabelMatch,
  type PolicySpec,
  type PolicyVerdict,
} from './types.js';

type CompiledLabels = Array<[label: string, matchers: GlobMatcher[]]>;

interface CompiledRule {
  id: string;
  labels: CompiledLabels;
  /** deny_servers_not_in: globs, as every other server pattern of a policy. */
  allowedServers: GlobMatcher[] | null;
  requireScopeMatch: boolean;
  decision: Decision;
  constraints: Constraints;
}

export interface CompiledPolicy {
  spec: PolicySpec;
  rules: CompiledRule[];
  actionClasses: Array<{ labels: CompiledLabels; class: ActionClass }>;
  principals: Array<{ labels: CompiledLabels; tags: string[] }>;
  untrustedTools: CompiledLabels[];
}

function compileLabels(match: LabelMatch): CompiledLabels {
  return Object.entries(match).map(([label, patterns]) => [label, patterns.map(compileGlob)]);
}

export function compilePolicy(spec: PolicySpec): CompiledPolicy {
  return {
    spec,
    rules: spec.rules.map((rule) => ({
      id: rule.id,
      labels: compileLabels(rule.labels),
      allowedServers: rule.denyServersNotIn ? rule.denyServersNotIn.map(compileGlob) : null,
      requireScopeMatch: rule.requireScopeMatch === true,
      decision: rule.decision,
      constraints: rule.constraints,
    })),
    actionClasses: spec.actionClasses.map((entry) => ({ labels: compileLabels(entry.labels), class: entry.class })),
    principals: spec.principals.map((entry) => ({ labels: compileLabels(entry.labels), tags: entry.tags })),
    untrustedTools: spec.untrustedTools.map(compileLabels),
  };
}

/** Labels a rule can match on: the call's own labels plus `principal.tag` (any of the tags). */
function labelsMatch(compiled: CompiledLabels, labels: Partial<CallLabels>, tags: string[]): boolean {
  for (const [label, matchers] of compiled) {
    if (label === 'principal.tag' || label === 'principal.tags') {
      if (!tags.some((tag) => matchers.some((m) => m(tag)))) return false;
      continue;
    }
    const value = (labels as Record<string, string | undefined>)[label];
    if (value === undefined || !matchers.some((m) => m(value))) return false;
  }
  return true;
}

export function principalTags(policy: CompiledPolicy, labels: Partial<CallLabels>): string[] {
  const tags = new Set<string>();
  for (const principal of policy.principals) {
    if (labelsMatch(principal.labels, labels, [])) for (const tag of principal.tags) tags.add(tag);
  }
  return [...tags];
}

/** Explicit `action_classes` entries in the policy win over everything the server says. */
export function explicitActionClass(policy: CompiledPolicy, server: string, tool: string): ActionClass | null {
  const labels = { 'mcp.server': server, 'mcp.tool': tool };
  for (const entry of policy.actionClasses) if (labelsMatch(entry.labels, labels, [])) return entry.class;
  return null;
}

/** Tools the policy names as returning untrusted content (web, issues, mail…). */
export function policySaysUntrusted(policy: CompiledPolicy, server: string, tool: string): boolean {
  const labels = { 'mcp.server': server, 'mcp.tool': tool };
  return policy.untrustedTools.some((match) => labelsMatch(match, labels, []));
}

// A read-only principal may only read: the seed's "scope segmentation by action class".
function scopeMismatch(action: ActionClass, tags: string[]): boolean {
  return action !== 'read' && tags.includes(READ_ONLY_TAG);
}

function mergeConstraints(into: Constraints, from: Constraints): void {
  for (const key of ['max_runtime_sec', 'max_retries'] as const) {
    const value = from[key];
    if (value !== undefined) into[key] = into[key] === undefined ? value : Math.min(into[key], value);
  }
}

/**
 * Every matching rule votes; DENY beats REQUIRE_APPROVAL beats ALLOW and the first rule
 * of the strongest decision names the verdict. Constraints of all matching rules combine,
 * the tightest value winning, so a broad rule cannot loosen a narrow one.
 *
 * A destructive action is a write too, and gets the stricter of the two verdicts: a policy
 * that asks about `write` only (the seed's) would otherwise let `delete_repo`, or a write
 * a server marked `destructiveHint`, through unasked. Not "a write rule matches destructive
 * calls": a `write → ALLOW` rule must not allow what the default or a destructive rule stops.
 */
export function evaluatePolicy(policy: CompiledPolicy, labels: CallLabels, extraTags: string[] = []): PolicyVerdict {
  const tags = [...new Set([...principalTags(policy, labels), ...extraTags])];
  const verdict = vote(policy, labels, tags);
  if (labels['mcp.action'] !== 'destructive') return verdict;
  return stricterVerdict(verdict, vote(policy, { ...labels, 'mcp.action': 'write' }, tags), 'a destructive action is a write too, and as a write');
}

/**
 * `verdict` unless `other` decides more strictly; on a tie `verdict` still names it, unless
 * only `other` came from a rule. Constraints of both combine. `why` prefixes the reason when
 * `other` decides.
 */
export function stricterVerdict(verdict: PolicyVerdict, other: PolicyVerdict, why: string): PolicyVerdict {
  const constraints = { ...verdict.constraints };
  mergeConstraints(constraints, other.constraints);
  const rank = DECISION_RANK[other.decision] - DECISION_RANK[verdict.decision];
  if (rank > 0 || (rank === 0 && verdict.ruleId === null && other.ruleId !== null)) {
    return { ...other, constraints, reason: `${why}: ${other.reason}` };
  }
  return { ...verdict, constraints };
}

function vote(policy: CompiledPolicy, labels: CallLabels, tags: string[]): PolicyVerdict {
  let winner: CompiledRule | null = null;
  let reason = '';
  const constraints: Constraints = {};
  for (const rule of policy.rules) {
    if (!labelsMatch(rule.labels, labels, tags)) continue;
    if (rule.allowedServers && rule.allowedServers.some((allowed) => allowed(labels['mcp.server']))) continue;
    if (rule.requireScopeMatch && !scopeMismatch(labels['mcp.action'], tags)) continue;
    mergeConstraints(constraints, rule.constraints);
    if (!winner || DECISION_RANK[rule.decision] > DECISION_RANK[winner.decision]) {
      winner = rule;
      reason = ruleReason(rule, labels);
    }
  }
  if (!winner) {
    return {
      decision: policy.spec.defaultDecision,
      ruleId: null,
      reason: `no rule matched; policy default is ${policy.spec.defaultDecision}`,
      constraints,
      principalTags: tags,
    };
  }
  return { decision: winner.decision, ruleId: winner.id, reason, constraints, principalTags: tags };
}

function ruleReason(rule: CompiledRule, labels: CallLabels): string {
  if (rule.allowedServers) return `server '${labels['mcp.server']}' is not in the allowed server list`;
  if (rule.requireScopeMatch) return `scope mismatch: a ${READ_ONLY_TAG} principal attempted a ${labels['mcp.action']} action`;
  return `rule '${rule.id}' matched a ${labels['mcp.action']} action`;
}
