import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, evaluatePolicy } from '../../../main/firewall/policy/evaluate.js';
import { parsePolicy } from '../../../main/firewall/policy/load.js';
import type { CallLabels } from '../../../main/firewall/policy/types.js';
import { createToolVerdicts } from '../../../main/firewall/proxy/tool-verdicts.js';
import { FIXTURES } from '../../helpers/paths.js';

function policyOf(yaml: string) {
  const result = parsePolicy(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return compilePolicy(result.spec);
}

const seed = policyOf(readFileSync(join(FIXTURES, 'policies', 'seed-example.yaml'), 'utf8'));
const destructive = (overrides: Partial<CallLabels> = {}): CallLabels => ({
  'mcp.server': 'github', 'mcp.tool': 'delete_repo', 'mcp.action': 'destructive', 'mcp.client': 'cursor', 'mcp.method': 'tools/call', ...overrides,
});

describe('a destructive call is held to the write rules as well', () => {
  it("asks under the seed's write-only rule, whether the name or an annotation made the tool destructive", () => {
    const verdicts = createToolVerdicts('github');
    const asked = { decision: 'REQUIRE_APPROVAL', ruleId: 'require-approval-for-write', constraints: { max_runtime_sec: 60, max_retries: 1 } };
    expect(verdicts('write_file', undefined, seed, 'cursor', 'tools/call', false)).toMatchObject({ actionClass: 'write', byPolicy: asked });
    const annotated = { name: 'write_file', annotations: { destructiveHint: true } };
    expect(verdicts('write_file', annotated, seed, 'cursor', 'tools/call', false)).toMatchObject({ actionClass: 'destructive', byPolicy: asked });
    for (const tool of ['delete_repo', 'drop_table']) {
      expect(verdicts(tool, undefined, seed, 'cursor', 'tools/call', false)).toMatchObject({ actionClass: 'destructive', byPolicy: asked });
    }
  });

  it('says in the reason that the write rule decided a destructive call', () => {
    expect(evaluatePolicy(seed, destructive()).reason).toBe("a destructive action is a write too, and as a write: rule 'require-approval-for-write' matched a write action");
  });

  it('does not let a rule allowing writes allow a destructive call that the default or a destructive rule stops', () => {
    const allowWrites = 'version: v1\ndefaults: { decision: DENY }\nrules:\n  - id: allow-writes\n    match: { labels: { mcp.action: write } }\n    decision: ALLOW\n';
    expect(evaluatePolicy(policyOf(allowWrites), destructive())).toMatchObject({ decision: 'DENY', ruleId: null });
    const denyDestructive = `${allowWrites}  - id: no-deletes\n    match: { labels: { mcp.action: destructive } }\n    decision: DENY\n`;
    expect(evaluatePolicy(policyOf(denyDestructive.replace('DENY }', 'ALLOW }')), destructive())).toMatchObject({ decision: 'DENY', ruleId: 'no-deletes' });
  });

  it('names the destructive rule when both ask, with the tightest constraints of the two', () => {
    const both = policyOf(`version: v1
rules:
  - id: ask-writes
    match: { labels: { mcp.action: write } }
    decision: REQUIRE_APPROVAL
    constraints: { max_runtime_sec: 60, max_retries: 1 }
  - id: ask-deletes
    match: { labels: { mcp.action: destructive } }
    decision: REQUIRE_APPROVAL
    constraints: { max_runtime_sec: 30 }
`);
    expect(evaluatePolicy(both, destructive())).toMatchObject({
      decision: 'REQUIRE_APPROVAL', ruleId: 'ask-deletes', constraints: { max_runtime_sec: 30, max_retries: 1 },
      reason: "rule 'ask-deletes' matched a destructive action",
    });
  });
});
