import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, evaluatePolicy } from '../../../main/firewall/policy/evaluate.js';
import { effectiveVerdict } from '../../../main/firewall/policy/effective-verdict.js';
import { parsePolicy } from '../../../main/firewall/policy/load.js';
import type { CallLabels } from '../../../main/firewall/policy/types.js';
import { FIXTURES } from '../../helpers/paths.js';

function policyOf(yaml: string) {
  const result = parsePolicy(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return compilePolicy(result.spec);
}

const call = (overrides: Partial<CallLabels>): CallLabels => ({
  'mcp.server': 'github', 'mcp.tool': 'list_issues', 'mcp.action': 'read', 'mcp.client': 'cursor', 'mcp.method': 'tools/call', ...overrides,
});

const seed = policyOf(readFileSync(join(FIXTURES, 'policies', 'seed-example.yaml'), 'utf8'));

describe("the seed's policy", () => {
  it('denies servers outside deny_servers_not_in', () => {
    expect(evaluatePolicy(seed, call({ 'mcp.server': 'shadow-helper' }))).toMatchObject({ decision: 'DENY', ruleId: 'deny-unregistered-server' });
  });
  it('asks for approval on writes to a listed server, with the rule constraints', () => {
    expect(evaluatePolicy(seed, call({ 'mcp.action': 'write' }))).toMatchObject({
      decision: 'REQUIRE_APPROVAL', ruleId: 'require-approval-for-write', constraints: { max_runtime_sec: 60, max_retries: 1 },
    });
  });
  it('reads deny_servers_not_in entries as globs, like every other server pattern', () => {
    const globbed = policyOf('version: v1\nrules:\n  - id: only-git\n    match: { labels: { mcp.server: "*" }, mcp: { deny_servers_not_in: ["git*", jira] } }\n    decision: DENY\n');
    expect(evaluatePolicy(globbed, call({ 'mcp.server': 'github' }))).toMatchObject({ decision: 'ALLOW' });
    expect(evaluatePolicy(globbed, call({ 'mcp.server': 'jira' }))).toMatchObject({ decision: 'ALLOW' });
    expect(evaluatePolicy(globbed, call({ 'mcp.server': 'slack' }))).toMatchObject({ decision: 'DENY', ruleId: 'only-git' });
  });
  it('allows reads on a listed server by default', () => {
    expect(evaluatePolicy(seed, call({}))).toMatchObject({ decision: 'ALLOW', ruleId: null });
  });
  it('lets DENY beat REQUIRE_APPROVAL when both match', () => {
    expect(evaluatePolicy(seed, call({ 'mcp.server': 'unknown', 'mcp.action': 'write' }))).toMatchObject({ decision: 'DENY' });
  });
});

describe('rule matching', () => {
  const policy = policyOf(`version: v1
defaults: { decision: DENY }
principals:
  - match: { mcp.client: "ci-*" }
    tags: [read_only]
rules:
  - id: reads
    match: { labels: { mcp.action: read } }
    decision: ALLOW
  - id: fs-writes
    match: { labels: { mcp.server: "file*", mcp.tool: ["write_?ile", "edit_*"] } }
    decision: REQUIRE_APPROVAL
    constraints: { max_runtime_sec: 30 }
  - id: slow-cap
    match: { labels: { mcp.server: "filesystem" } }
    decision: ALLOW
    constraints: { max_runtime_sec: 10, max_retries: 3 }
  - id: scope
    match: { auth: { require_scope_match: true } }
    decision: DENY
`);
  it('matches globs with * and ? and lists of patterns', () => {
    expect(evaluatePolicy(policy, call({ 'mcp.server': 'filesystem', 'mcp.tool': 'write_file', 'mcp.action': 'write' })).ruleId).toBe('fs-writes');
    expect(evaluatePolicy(policy, call({ 'mcp.server': 'filesystem', 'mcp.tool': 'edit_block', 'mcp.action': 'write' })).ruleId).toBe('fs-writes');
    expect(evaluatePolicy(policy, call({ 'mcp.server': 'filesystem', 'mcp.tool': 'write_files', 'mcp.action': 'write' })).decision).toBe('ALLOW');
  });
  it('combines constraints of all matching rules, tightest wins', () => {
    expect(evaluatePolicy(policy, call({ 'mcp.server': 'filesystem', 'mcp.tool': 'write_file', 'mcp.action': 'write' })).constraints).toEqual({ max_runtime_sec: 10, max_retries: 3 });
  });
  it('falls back to the configured default', () => {
    expect(evaluatePolicy(policy, call({ 'mcp.server': 'jira', 'mcp.action': 'write' }))).toMatchObject({ decision: 'DENY', ruleId: null });
  });
  it('denies a write by a read_only principal as a scope mismatch', () => {
    const verdict = evaluatePolicy(policy, call({ 'mcp.client': 'ci-runner', 'mcp.server': 'filesystem', 'mcp.tool': 'write_file', 'mcp.action': 'write' }));
    expect(verdict).toMatchObject({ decision: 'DENY', ruleId: 'scope', principalTags: ['read_only'] });
    expect(verdict.reason).toContain('scope mismatch');
    expect(evaluatePolicy(policy, call({ 'mcp.client': 'ci-runner' })).decision).toBe('ALLOW');
  });
  it('turns an allowed write into REQUIRE_APPROVAL while emergency write approval is on, but not a read', () => {
    const open = policyOf('version: v1\nrules: []\n');
    expect(effectiveVerdict(open, call({ 'mcp.action': 'write' }), true)).toMatchObject({ decision: 'REQUIRE_APPROVAL', ruleId: 'emergency-write-approval' });
    expect(effectiveVerdict(open, call({}), true).decision).toBe('ALLOW');
    expect(effectiveVerdict(open, call({ 'mcp.action': 'write' }), false).decision).toBe('ALLOW');
  });
});

describe('policy errors', () => {
  it('reports a misspelt key with its line and column', () => {
    const result = parsePolicy('version: v1\nrules:\n  - id: a\n    decison: DENY\n', 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(expect.objectContaining({ file: 'p.yaml', line: 4, column: 5, message: expect.stringContaining('decison') }));
  });
  it('reports YAML syntax errors with a position', () => {
    const result = parsePolicy('version: v1\nrules: [\n', 'p.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.line).toBeGreaterThan(0);
  });
  it('rejects duplicate rule ids and unknown decisions', () => {
    const dup = parsePolicy('version: v1\nrules:\n  - { id: a, decision: DENY }\n  - { id: a, decision: ALLOW }\n');
    expect(dup.ok === false && dup.errors[0]!.message).toContain("duplicate rule id 'a'");
    const bad = parsePolicy('version: v1\nrules:\n  - { id: a, decision: MAYBE }\n');
    expect(bad.ok).toBe(false);
  });
  it('rejects a policy of another version', () => {
    expect(parsePolicy('version: v2\nrules: []\n').ok).toBe(false);
  });
});
