import { describe, expect, it } from 'vitest';
import { compilePolicy, type CompiledPolicy } from '../../../main/firewall/policy/evaluate.js';
import { parsePolicy } from '../../../main/firewall/policy/load.js';
import { createToolVerdicts } from '../../../main/firewall/proxy/tool-verdicts.js';

function policy(source: string): CompiledPolicy {
  const loaded = parsePolicy(source);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return compilePolicy(loaded.spec);
}

describe('per-tool verdicts', () => {
  const askWrites = policy('version: v1\nrules:\n  - id: ask-writes\n    match:\n      labels:\n        mcp.action: write\n    decision: REQUIRE_APPROVAL\n');

  it('recomputes when the tool is re-listed with annotations that make it stricter', () => {
    const verdicts = createToolVerdicts('srv');
    const listed = { name: 'get_page', annotations: { readOnlyHint: true } };
    expect(verdicts('get_page', listed, askWrites, 'cursor', 'tools/call', false)).toMatchObject({ actionClass: 'read', byPolicy: { decision: 'ALLOW' } });
    const relisted = { name: 'get_page', annotations: { readOnlyHint: false } };
    expect(verdicts('get_page', relisted, askWrites, 'cursor', 'tools/call', false)).toMatchObject({ actionClass: 'write', byPolicy: { decision: 'REQUIRE_APPROVAL' } });
  });

  it('keeps the verdict of the class a tool had before annotations raised it, when stricter', () => {
    const verdicts = createToolVerdicts('srv');
    const askReads = policy('version: v1\nrules:\n  - id: ask-reads\n    match:\n      labels:\n        mcp.action: read\n    decision: REQUIRE_APPROVAL\n');
    const raised = { name: 'get_secret', annotations: { readOnlyHint: false } };
    expect(verdicts('get_secret', raised, askReads, 'cursor', 'tools/call', false)).toMatchObject({
      actionClass: 'write',
      byPolicy: { decision: 'REQUIRE_APPROVAL', ruleId: 'ask-reads', reason: expect.stringMatching(/^its name makes it a read, and as one: / ) as unknown },
    });
    // The raised class's own verdict when it is the stricter one.
    expect(verdicts('get_secret', raised, askWrites, 'cursor', 'tools/call', false).byPolicy).toMatchObject({ decision: 'REQUIRE_APPROVAL', ruleId: 'ask-writes' });
  });

  it('recomputes for a new policy, another client and the emergency switch', () => {
    const verdicts = createToolVerdicts('srv');
    const denyCursor = policy('version: v1\nrules:\n  - id: no-cursor\n    match:\n      labels:\n        mcp.client: cursor\n    decision: DENY\n');
    expect(verdicts('get_page', undefined, askWrites, 'cursor', 'tools/call', false).byPolicy.decision).toBe('ALLOW');
    expect(verdicts('get_page', undefined, denyCursor, 'cursor', 'tools/call', false).byPolicy.decision).toBe('DENY');
    expect(verdicts('get_page', undefined, denyCursor, 'claude-code', 'tools/call', false).byPolicy.decision).toBe('ALLOW');
    expect(verdicts('update_page', undefined, denyCursor, 'claude-code', 'tools/call', false).byPolicy.decision).toBe('ALLOW');
    expect(verdicts('update_page', undefined, denyCursor, 'claude-code', 'tools/call', true).byPolicy.ruleId).toBe('emergency-write-approval');
  });

  it('marks reads of outside content untrusted, by name or by policy', () => {
    const verdicts = createToolVerdicts('srv');
    expect(verdicts('fetch_url', undefined, askWrites, 'c', 'tools/call', false).untrusted).toBe(true);
    expect(verdicts('get_sum', undefined, askWrites, 'c', 'tools/call', false).untrusted).toBe(false);
  });
});
