import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const POLICY = `version: v1
rules:
  - id: ask-for-writes
    match: { labels: { mcp.action: write } }
    decision: REQUIRE_APPROVAL
  - id: never-drop
    match: { labels: { mcp.tool: "drop_*" } }
    decision: DENY
`;

describe('pause protection', () => {
  const engine = useEngine({ policy: POLICY, approve: ['faulty'] });
  let conn: ShimConnection;
  const pending = () => engine().api('GET', '/approvals').then((r) => (r.body as Array<{ id: string }>)[0]);
  beforeAll(async () => {
    conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
  });
  afterAll(async () => {
    await conn.close();
  });

  it('lets calls that would ask through while paused, audited as such, and keeps hard denials', async () => {
    expect(engine().cli(['pause', '5']).code).toBe(0);
    await waitFor(async () => String(await settled(conn.client.callTool({ name: 'update_record', arguments: { n: Math.random() } }))).includes('unknown tool'), 'the paused write to reach the server');
    expect(String(await settled(conn.client.callTool({ name: 'drop_table', arguments: {} })))).toMatch(/rule never-drop/);
    const rows = JSON.parse(engine().cli(['audit', 'query', "SELECT decision, rule_id FROM mcp_audit WHERE tool_name = 'update_record' AND event = 'call'", '--json']).stdout) as Array<{ decision: string; rule_id: string }>;
    expect(rows.at(-1)).toEqual({ decision: 'ALLOW', rule_id: 'protection-paused' });
  });

  it('still asks while paused for a call whose arguments carry a secret: a pause silences routine asks, not findings', async () => {
    expect(engine().cli(['pause', '5']).code).toBe(0);
    const token = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
    const leaking = settled(conn.client.callTool({ name: 'read_text', arguments: { text: `use ${token}` } }));
    const asked = await waitFor(pending, 'an approval for the leaking call despite the pause');
    await engine().api('POST', `/approvals/${asked.id}/deny`);
    expect(String(await leaking)).toMatch(/denied/);
    expect(engine().cli(['resume']).code).toBe(0);
  });

  it('still asks while paused when emergency write approval is on, and asks again after resume', async () => {
    engine().cli(['policy', 'emergency', 'on']);
    const during = settled(conn.client.callTool({ name: 'update_record', arguments: { n: 'emergency' } }));
    const first = await waitFor(pending, 'an approval despite the pause');
    await engine().api('POST', `/approvals/${first.id}/deny`);
    expect(String(await during)).toMatch(/denied/);
    engine().cli(['policy', 'emergency', 'off']);
    expect(engine().cli(['resume']).code).toBe(0);
    const after = settled(conn.client.callTool({ name: 'update_record', arguments: { n: 'resumed' } }));
    const second = await waitFor(pending, 'an approval after resume');
    await engine().api('POST', `/approvals/${second.id}/deny`);
    expect(String(await after)).toMatch(/denied/);
  });
});
