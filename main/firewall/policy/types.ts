// Shared shapes of a policy once it is loaded. This file is imported by the shim, so it
// must stay free of the YAML parser and schema library.
export type Decision = 'ALLOW' | 'REQUIRE_APPROVAL' | 'DENY';
export type ActionClass = 'read' | 'write' | 'destructive';
export const ACTION_CLASSES: readonly ActionClass[] = ['read', 'write', 'destructive'];

export const DECISION_RANK: Record<Decision, number> = { ALLOW: 0, REQUIRE_APPROVAL: 1, DENY: 2 };
/** The principal tag `auth.require_scope_match` restricts to reads (and load.ts checks for near misses of). */
export const READ_ONLY_TAG = 'read_only';
export const ACTION_RANK: Record<ActionClass, number> = { read: 0, write: 1, destructive: 2 };

export interface Constraints {
  max_runtime_sec?: number;
  max_retries?: number;
}

/** Label name → glob patterns; a label matches when any pattern matches. */
export type LabelMatch = Record<string, string[]>;

export interface RuleSpec {
  id: string;
  labels: LabelMatch;
  denyServersNotIn?: string[];
  requireScopeMatch?: boolean;
  decision: Decision;
  constraints: Constraints;
}

export interface ActionClassSpec {
  labels: LabelMatch;
  class: ActionClass;
}

export interface PrincipalSpec {
  labels: LabelMatch;
  tags: string[];
}

export interface GuardLimits {
  maxChainDepth: number;
  quietGapSec: number;
  maxCallsPerMinute: number;
  maxIdenticalCalls: number;
  onExceed: 'DENY' | 'REQUIRE_APPROVAL';
  /** A write after this many untrusted results among the last few calls needs approval. */
  retrievalHeavyCalls: number;
}

/** The JSON-serialisable policy the engine pushes to shims as part of its snapshot. */
export interface PolicySpec {
  version: string;
  defaultDecision: Decision;
  defaultMaxRuntimeSec: number;
  approvalTimeoutSec: number;
  rules: RuleSpec[];
  actionClasses: ActionClassSpec[];
  principals: PrincipalSpec[];
  guards: GuardLimits;
  untrustedTools: LabelMatch[];
  output: { quarantineOnPrivateKey: boolean; quarantineSecretCount: number; quarantinePiiCount: number; argumentsWithSecrets: Decision };
}

export interface CallLabels {
  'mcp.server': string;
  'mcp.tool': string;
  'mcp.action': ActionClass;
  'mcp.client': string;
  'mcp.method': string;
}

export interface PolicyVerdict {
  decision: Decision;
  ruleId: string | null;
  reason: string;
  constraints: Constraints;
  principalTags: string[];
}
