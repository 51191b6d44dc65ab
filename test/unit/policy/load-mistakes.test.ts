import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../../../main/firewall/policy/load.js';
import { FIXTURES } from '../../helpers/paths.js';

// Mistakes a policy author makes must be reported, never turned into an entry that
// silently never matches (a DENY rule that never fires weakens the policy).
function errorsOf(yaml: string) {
  const result = parsePolicy(yaml, 'p.yaml');
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

describe('policy mistakes are errors', () => {
  it('points an unknown key at the key itself, not at the map holding it', () => {
    expect(errorsOf('version: v1\nrules:\n  - id: a\n    decison: DENY\n    decision: ALLOW\n')).toContainEqual(expect.objectContaining({ line: 4, column: 5, message: expect.stringContaining('Unrecognized key') }));
    expect(errorsOf('version: v1\nx: 1\nrules: []\n')).toContainEqual(expect.objectContaining({ line: 2, column: 1 }));
  });
  it('rejects a rule on a principal tag no principal is given, which could never fire', () => {
    const principals = 'principals:\n  - match: { mcp.client: ci }\n    tags: [Read_Only]\n';
    const errors = errorsOf(`version: v1\n${principals}rules:\n  - id: ro\n    match: { labels: { principal.tag: readonly } }\n    decision: DENY\n`);
    expect(errors).toEqual([expect.objectContaining({ line: 7, message: "rules.0.match.labels.principal.tag: 'readonly' matches no tag a principal is given (declared: Read_Only)" })]);
    errorsOf('version: v1\nrules:\n  - { id: ro, match: { labels: { principal.tags: read_only } }, decision: DENY }\n');
    expect(parsePolicy(`version: v1\n${principals}rules:\n  - { id: ro, match: { labels: { principal.tag: "Read_*" } }, decision: DENY }\n`).ok).toBe(true);
  });
  it("rejects a near miss of the tag 'read_only' when a rule asks for a scope match, which would restrict no one", () => {
    const seed = readFileSync(join(FIXTURES, 'policies', 'seed-example.yaml'), 'utf8');
    const tagged = (tags: string) => seed.replace('version: v1\n', `version: v1\nprincipals:\n  - match: { mcp.client: "ci-*" }\n    tags: [${tags}]\n`);
    expect(errorsOf(tagged('trusted, read-only'))).toEqual([{
      file: 'p.yaml', line: 4, column: 21,
      message: "principals.0.tags.1: 'read-only' is not 'read_only', the tag rule 'deny-scope-mismatch' (auth.require_scope_match) restricts to reads",
    }]);
    for (const nearMiss of ['readonly', 'Read_Only', 'READ-ONLY', '"read only"']) errorsOf(tagged(nearMiss));
    expect(parsePolicy(tagged('read_only')).ok).toBe(true);
    // Without a scope rule the tag is the author's own, for their own `principal.tag` rules.
    expect(parsePolicy('version: v1\nprincipals:\n  - { match: { mcp.client: ci }, tags: [read-only] }\nrules: []\n').ok).toBe(true);
  });
  it("rejects a '__proto__' key, which the label maps would drop and leave a rule that matches every call", () => {
    const allowAll = 'version: v1\ndefaults:\n  decision: REQUIRE_APPROVAL\nrules:\n  - id: reads\n    match:\n      labels:\n        __proto__: { mcp.tool: read_file }\n    decision: ALLOW\n';
    expect(errorsOf(allowAll)).toEqual([expect.objectContaining({ line: 8, column: 9, message: expect.stringContaining("'__proto__'") })]);
    errorsOf('version: v1\nprincipals:\n  - match: { __proto__: ci }\n    tags: [trusted]\nrules: []\n');
    errorsOf('version: v1\nuntrusted_tools:\n  - match: { mcp.tool: fetch, __proto__: x }\nrules: []\n');
    // The look for it survives an alias inside itself.
    errorsOf('version: v1\nx: &a { b: *a }\nrules: []\n');
  });
  it('rejects a %YAML 1.1 directive (merge keys, yes/no booleans) and tags it does not know, which would change the meaning silently', () => {
    // Under 1.1, `<<` merges and the explicit key after it wins past the duplicate-key check.
    const merged = '%YAML 1.1\n---\nversion: v1\nrules:\n  - { <<: { id: a, decision: DENY }, id: a, decision: ALLOW }\n';
    expect(errorsOf(merged)).toEqual([expect.objectContaining({ line: 1, column: 1, message: expect.stringContaining('remove the %YAML 1.1 directive') })]);
    const tagged = 'version: v1\nrules:\n  - id: a\n    decision: !deny DENY\n';
    expect(errorsOf(tagged)).toEqual([expect.objectContaining({ line: 4, column: 15, message: 'Unresolved tag: !deny: a policy uses no YAML tags' })]);
    expect(parsePolicy('%YAML 1.2\n---\nversion: v1\nrules: []\n').ok).toBe(true);
  });

  it('rejects an unknown label name with its position', () => {
    const errors = errorsOf('version: v1\nrules:\n  - id: a\n    match: { labels: { mcp.tol: delete_file } }\n    decision: DENY\n');
    expect(errors).toContainEqual(expect.objectContaining({ line: 4, message: expect.stringContaining("unknown label 'mcp.tol'") }));
  });
  it('rejects labels an action_classes, principals or untrusted_tools entry can never see', () => {
    errorsOf('version: v1\naction_classes:\n  - match: { mcp.tol: delete_file }\n    class: destructive\nrules: []\n');
    errorsOf('version: v1\naction_classes:\n  - match: { mcp.action: write }\n    class: read\nrules: []\n');
    errorsOf('version: v1\nprincipals:\n  - match: { principal.tag: x }\n    tags: [read_only]\nrules: []\n');
    errorsOf('version: v1\nuntrusted_tools:\n  - match: { mcp.tol: fetch }\nrules: []\n');
  });
  it('rejects an action_classes entry with an empty match', () => {
    errorsOf('version: v1\naction_classes:\n  - match: {}\n    class: read\nrules: []\n');
  });
  it('rejects an mcp.action value that is no action class', () => {
    expect(errorsOf('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.action: destuctive } }, decision: DENY }\n')[0]!.message).toContain('matches no action class');
    errorsOf('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.action: Write } }, decision: DENY }\n');
    expect(parsePolicy('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.action: ["w*", destructive] } }, decision: DENY }\n').ok).toBe(true);
  });
  it('rejects an mcp.method the policy is never asked about, which would make a rule that never fires', () => {
    expect(errorsOf('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.method: "resources/*" } }, decision: DENY }\n')[0]!.message).toContain("'resources/*' never matches: the policy decides tools/call only");
    errorsOf('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.method: ["tools/*", "resources/read"] } }, decision: DENY }\n');
    expect(parsePolicy('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.method: ["tools/*", "tools/call"] } }, decision: DENY }\n').ok).toBe(true);
  });
  it('rejects timeouts past what a timer can wait (which would deny every approval at once)', () => {
    for (const value of ['3000000', '1e13']) {
      expect(errorsOf(`version: v1\ndefaults:\n  approval_timeout_sec: ${value}\nrules: []\n`)[0]).toMatchObject({ line: 3, message: expect.stringContaining('at most 2147483 seconds') });
    }
    errorsOf('version: v1\nrules:\n  - { id: a, decision: ALLOW, constraints: { max_runtime_sec: 1e13 } }\n');
    expect(parsePolicy('version: v1\ndefaults:\n  approval_timeout_sec: 86400\nrules: []\n').ok).toBe(true);
  });
  it('rejects glob syntax the matcher does not support, and empty patterns', () => {
    for (const pattern of ['"[dr]elete_*"', '"{delete,drop}_*"', '"delete\\\\*"', '""']) {
      errorsOf(`version: v1\nrules:\n  - { id: a, match: { labels: { mcp.tool: ${pattern} } }, decision: DENY }\n`);
    }
    expect(parsePolicy('version: v1\nrules:\n  - { id: a, match: { labels: { mcp.tool: ["**", "lösche_?"] } }, decision: DENY }\n').ok).toBe(true);
  });
  it('reports an alias bomb as an error instead of throwing', () => {
    const lines = ['version: v1', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    lines.push('rules: []');
    const result = parsePolicy(lines.join('\n'), 'p.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ file: 'p.yaml', line: 1 });
  });
});
