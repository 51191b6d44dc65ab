import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor, type PendingApproval } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
// A database whose reads a person looks at; everything else may run.
const POLICY = 'version: v1\ndefaults:\n  decision: ALLOW\nrules:\n  - id: ask-reads-of-db\n    match:\n      labels:\n        mcp.server: db\n        mcp.action: read\n    decision: REQUIRE_APPROVAL\n';

// Annotations may only make a tool more restricted: `readOnlyHint: false` on a tool its name
// calls a read raises it to a write, but must not take it out from under the rule on reads,
// in the shim nor in the engine's gate, which decides the call again when the shim asks.
describe('a read its annotations raise to a write', () => {
  const engine = useEngine({ policy: POLICY, approve: ['db'] });

  it('still waits for a person under the rule on reads', async () => {
    const manifest = { tools: [{ name: 'get_rows', description: 'Reads rows.', annotations: { readOnlyHint: false }, inputSchema: { type: 'object', properties: {} } }] };
    const conn = await connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify(manifest) } }, 'db', [process.execPath, SERVER]);
    try {
      await conn.client.listTools();
      const call = settled(conn.client.callTool({ name: 'get_rows', arguments: {} }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<PendingApproval & { ruleId: string; reason: string }>)[0], 'the read to wait for a person');
      expect(pending).toMatchObject({ tool: 'get_rows', ruleId: 'ask-reads-of-db' });
      expect(pending.reason).toMatch(/^its name makes it a read, and as one: /);
      await denyAndExpectDenied(engine(), pending.id, call);
    } finally {
      await conn.close();
    }
  });
});
