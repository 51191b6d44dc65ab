import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { compileGlob } from './glob.js';
import { policySchema, type PolicyDocument } from './schema.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../output/verdict.js';
import { READ_ONLY_TAG, type GuardLimits, type LabelMatch, type PolicySpec } from './types.js';

export interface PolicyError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type PolicyLoadResult = { ok: true; spec: PolicySpec; source?: string } | { ok: false; errors: PolicyError[] };

export class PolicyLoadError extends Error {
  constructor(readonly errors: PolicyError[]) {
    super(errors.map(formatPolicyError).join('\n'));
  }
}

export function formatPolicyError(error: PolicyError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.message}`;
}

export const DEFAULT_MAX_RUNTIME_SEC = 300;
export const DEFAULT_APPROVAL_TIMEOUT_SEC = 120;

// Generous enough that an agent working normally never meets them; a loop or a
// fan-out storm does within seconds.
export const DEFAULT_GUARDS: GuardLimits = {
  maxChainDepth: 100,
  quietGapSec: 30,
  maxCallsPerMinute: 120,
  maxIdenticalCalls: 8,
  onExceed: 'REQUIRE_APPROVAL',
  retrievalHeavyCalls: 4,
};

export function loadPolicyFile(file: string): PolicyLoadResult {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ file, line: 1, column: 1, message: `cannot read policy: ${(error as Error).message}` }] };
  }
  const result = parsePolicy(source, file);
  return result.ok ? { ...result, source } : result;
}

export function parsePolicy(source: string, file = '<policy>'): PolicyLoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = at(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message };
      }),
    };
  }
  // Both would change what a policy means without a word: a `%YAML 1.1` directive turns on
  // merge keys (`<<`, whose keys an explicit one overrides past the duplicate-key check) and
  // `yes`/`no` booleans; a tag the parser does not know (`!deny DENY`) is dropped, its value kept.
  if (doc.directives?.yaml.version !== '1.2') {
    return { ok: false, errors: [{ file, line: 1, column: 1, message: `a policy is YAML 1.2; remove the %YAML ${doc.directives?.yaml.version ?? ''} directive` }] };
  }
  if (doc.warnings.length > 0) {
    return {
      ok: false,
      errors: doc.warnings.map((w) => {
        const pos = at(w.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `${w.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? w.message}: a policy uses no YAML tags` };
      }),
    };
  }
  let value: unknown;
  try {
    // toJS resolves aliases and throws on an alias bomb; a throw here would escape the
    // reload timer and take the running engine down instead of keeping the last good policy.
    value = doc.toJS();
  } catch (error) {
    const pos = at(doc.contents?.range?.[0] ?? 0);
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message: (error as Error).message }] };
  }
  const proto = protoKeyPath(value, []);
  if (proto !== null) {
    const pos = at(keyOffset(doc, proto, '__proto__') ?? offsetOf(doc, proto));
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message: `${[...proto, '__proto__'].join('.')}: '__proto__' is not a key a policy has` }] };
  }
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => {
        // An unknown key is pointed at itself, not at the map holding it (a typo on line 9 of a rule).
        const unknown = issue.code === 'unrecognized_keys' ? keyOffset(doc, issue.path as Array<string | number>, issue.keys[0]!) : undefined;
        const offset = unknown ?? offsetOf(doc, issue.path as Array<string | number>);
        const pos = at(offset);
        const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
        return { file, line: pos.line, column: pos.col, message: `${where}${issue.message}` };
      }),
    };
  }
  const duplicate = firstDuplicateRuleId(parsed.data);
  if (duplicate !== null) {
    const pos = at(offsetOf(doc, ['rules', duplicate.index, 'id']));
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message: `rules.${duplicate.index}.id: duplicate rule id '${duplicate.id}'` }] };
  }
  const unknownTag = firstUnknownTag(parsed.data);
  if (unknownTag !== null) {
    const path = ['rules', unknownTag.index, 'match', 'labels', unknownTag.label];
    const pos = at(offsetOf(doc, path));
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message: `${path.join('.')}: '${unknownTag.pattern}' matches no tag a principal is given (${unknownTag.declared})` }] };
  }
  const nearMiss = firstReadOnlyNearMiss(parsed.data);
  if (nearMiss !== null) {
    const path = ['principals', nearMiss.index, 'tags', nearMiss.tagIndex];
    const pos = at(offsetOf(doc, path));
    const message = `${path.join('.')}: '${nearMiss.tag}' is not '${READ_ONLY_TAG}', the tag rule '${nearMiss.ruleId}' (auth.require_scope_match) restricts to reads`;
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message }] };
  }
  return { ok: true, spec: toSpec(parsed.data) };
}

/**
 * A principal tagged `read-only`, `readonly` or `Read_Only` where a rule asks for a scope
 * match: that rule restricts `read_only` exactly, so the principal it was meant for could
 * delete a repository. Only then: without a scope rule the tag is the author's own, for
 * their own `principal.tag` rules (which firstUnknownTag checks).
 */
function firstReadOnlyNearMiss(doc: PolicyDocument): { index: number; tagIndex: number; tag: string; ruleId: string } | null {
  const scopeRule = doc.rules.find((rule) => rule.match?.auth?.require_scope_match === true);
  if (!scopeRule) return null;
  const plain = READ_ONLY_TAG.replace(/[^a-z]/g, '');
  for (const [index, principal] of (doc.principals ?? []).entries()) {
    for (const [tagIndex, tag] of principal.tags.entries()) {
      if (tag !== READ_ONLY_TAG && tag.toLowerCase().replace(/[^a-z]/g, '') === plain) return { index, tagIndex, tag, ruleId: scopeRule.id };
    }
  }
  return null;
}

/**
 * Where a `__proto__` key is written, if anywhere. The label maps are copied key by key, and
 * this one would be taken as the copy's prototype, not as a label: the map would lose it
 * silently, and a rule left with no labels matches every call (an ALLOW of everything).
 */
function protoKeyPath(value: unknown, path: Array<string | number>, seen = new Set<object>()): Array<string | number> | null {
  // An alias makes the same object appear twice, or inside itself (`x: &a { b: *a }`).
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return path;
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...path, Array.isArray(value) ? Number(key) : key], seen);
    if (found !== null) return found;
  }
  return null;
}

/**
 * A rule on a principal tag that no `principals` entry gives (`readonly` for `read_only`):
 * it could never fire, so a DENY written for it would deny nothing.
 */
function firstUnknownTag(doc: PolicyDocument): { index: number; label: string; pattern: string; declared: string } | null {
  const tags = [...new Set((doc.principals ?? []).flatMap((p) => p.tags))];
  for (const [index, rule] of doc.rules.entries()) {
    for (const [label, patterns] of Object.entries(rule.match?.labels ?? {})) {
      if (label !== 'principal.tag' && label !== 'principal.tags') continue;
      for (const pattern of Array.isArray(patterns) ? patterns : [patterns]) {
        const matcher = compileGlob(pattern);
        if (!tags.some((tag) => matcher(tag))) return { index, label, pattern, declared: tags.length > 0 ? `declared: ${tags.join(', ')}` : 'no principals are declared' };
      }
    }
  }
  return null;
}

// Walks the YAML AST down the schema issue's path, stopping at the deepest node that
// exists, so "missing key" errors point at the map that lacks it.
function offsetOf(doc: ReturnType<typeof parseDocument>, path: Array<string | number>): number {
  let offset = doc.contents?.range?.[0] ?? 0;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      offset = node.range[0];
      break;
    }
  }
  return offset;
}

/** Where `key` is written in the map at `path`, if it is there. */
function keyOffset(doc: ReturnType<typeof parseDocument>, path: Array<string | number>, key: string): number | undefined {
  const map = path.length > 0 ? doc.getIn(path, true) : doc.contents;
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

function firstDuplicateRuleId(doc: PolicyDocument): { id: string; index: number } | null {
  const seen = new Set<string>();
  for (const [index, rule] of doc.rules.entries()) {
    if (seen.has(rule.id)) return { id: rule.id, index };
    seen.add(rule.id);
  }
  return null;
}

function toLabelMatch(labels: Record<string, string | string[]> | undefined): LabelMatch {
  const out: LabelMatch = {};
  for (const [key, value] of Object.entries(labels ?? {})) out[key] = Array.isArray(value) ? value : [value];
  return out;
}

function toSpec(doc: PolicyDocument): PolicySpec {
  return {
    version: doc.version,
    defaultDecision: doc.defaults?.decision ?? 'ALLOW',
    defaultMaxRuntimeSec: doc.defaults?.max_runtime_sec ?? DEFAULT_MAX_RUNTIME_SEC,
    approvalTimeoutSec: doc.defaults?.approval_timeout_sec ?? DEFAULT_APPROVAL_TIMEOUT_SEC,
    rules: doc.rules.map((rule) => ({
      id: rule.id,
      labels: toLabelMatch(rule.match?.labels),
      ...(rule.match?.mcp ? { denyServersNotIn: rule.match.mcp.deny_servers_not_in } : {}),
      ...(rule.match?.auth ? { requireScopeMatch: rule.match.auth.require_scope_match } : {}),
      decision: rule.decision,
      constraints: rule.constraints ?? {},
    })),
    actionClasses: (doc.action_classes ?? []).map((entry) => ({ labels: toLabelMatch(entry.match), class: entry.class })),
    principals: (doc.principals ?? []).map((entry) => ({ labels: toLabelMatch(entry.match), tags: entry.tags })),
    guards: {
      maxChainDepth: doc.guards?.max_chain_depth ?? DEFAULT_GUARDS.maxChainDepth,
      quietGapSec: doc.guards?.quiet_gap_sec ?? DEFAULT_GUARDS.quietGapSec,
      maxCallsPerMinute: doc.guards?.max_calls_per_minute ?? DEFAULT_GUARDS.maxCallsPerMinute,
      maxIdenticalCalls: doc.guards?.max_identical_calls ?? DEFAULT_GUARDS.maxIdenticalCalls,
      onExceed: doc.guards?.on_exceed ?? DEFAULT_GUARDS.onExceed,
      retrievalHeavyCalls: doc.guards?.retrieval_heavy_calls ?? DEFAULT_GUARDS.retrievalHeavyCalls,
    },
    untrustedTools: (doc.untrusted_tools ?? []).map((entry) => toLabelMatch(entry.match)),
    output: {
      quarantineOnPrivateKey: doc.output?.quarantine_on_private_key ?? DEFAULT_OUTPUT_THRESHOLDS.quarantineOnPrivateKey,
      quarantineSecretCount: doc.output?.quarantine_secret_count ?? DEFAULT_OUTPUT_THRESHOLDS.quarantineSecretCount,
      quarantinePiiCount: doc.output?.quarantine_pii_count ?? DEFAULT_OUTPUT_THRESHOLDS.quarantinePiiCount,
      argumentsWithSecrets: doc.output?.arguments_with_secrets ?? 'REQUIRE_APPROVAL',
    },
  };
}
