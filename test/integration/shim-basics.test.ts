import { describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/engine-harness.js';
import { EVERYTHING_SERVER } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';
import { ASK_FOR_WRITES_RULE } from '../helpers/policies.js';

const ALLOW_READS_POLICY = `version: v1
defaults:
  decision: ALLOW
rules:
${ASK_FOR_WRITES_RULE}`;

describe('wrap + serve with server-everything', () => {
  const engine = useEngine({ policy: ALLOW_READS_POLICY, approve: ['everything'] });

  it('relays an allowed read call and writes its audit rows', async () => {
    const conn = await connectThroughShim(engine(), 'everything', [EVERYTHING_SERVER], { client: 'test-client' });
    try {
      const tools = await conn.client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      const result = await conn.client.callTool({ name: 'echo', arguments: { message: 'hello through the firewall' } });
      expect(JSON.stringify(result.content)).toContain('hello through the firewall');
    } finally {
      await conn.close();
    }
    const rows = engine().cli(['audit', 'query', "SELECT event, decision, tool_name, action_class, client FROM mcp_audit WHERE tool_name = 'echo' ORDER BY id", '--json']);
    expect(rows.code).toBe(0);
    expect(JSON.parse(rows.stdout)).toEqual([
      { event: 'call', decision: 'ALLOW', tool_name: 'echo', action_class: 'read', client: 'test-client' },
      { event: 'result', decision: 'PASS', tool_name: 'echo', action_class: 'read', client: 'test-client' },
    ]);
  });

  it('refuses an unregistered server and audits it as a shadow server', async () => {
    const conn = connectThroughShim(engine(), 'not-approved', [EVERYTHING_SERVER]);
    await expect(conn).rejects.toThrow(/not in the approved registry.*mcp-firewall registry approve --launch [0-9a-f]{12} not-approved/s);
    const rows = engine().cli(['audit', 'query', "SELECT decision, rule_id FROM mcp_audit WHERE server_name = 'not-approved'", '--json']);
    expect(JSON.parse(rows.stdout)).toEqual([{ decision: 'DENY', rule_id: 'registry-shadow' }]);
  });

  it('names a refused server in its hint as one shell word, whatever a config file called it', async () => {
    const name = 'x; touch /tmp/mcpfw-pwned';
    await expect(connectThroughShim(engine(), name, [EVERYTHING_SERVER])).rejects.toThrow(/mcp-firewall registry approve --launch [0-9a-f]{12} 'x; touch \/tmp\/mcpfw-pwned'/);
  });

  it('approves a server after a refused attempt, pinning that launch line, and refuses a changed one as drift', async () => {
    const approve = engine().cli(['registry', 'approve', 'not-approved']);
    expect(approve.stdout).toContain(`launch line pinned: ${EVERYTHING_SERVER}`);
    const conn = await connectThroughShim(engine(), 'not-approved', [EVERYTHING_SERVER]);
    await conn.client.ping();
    await conn.close();
    const drifted = connectThroughShim(engine(), 'not-approved', [EVERYTHING_SERVER, 'stdio']);
    await expect(drifted).rejects.toThrow(/launch line changed \(registry drift\)/);
    const rows = engine().cli(['audit', 'query', "SELECT rule_id FROM mcp_audit WHERE server_name = 'not-approved' AND decision = 'DENY' ORDER BY id", '--json']);
    expect(JSON.parse(rows.stdout)).toEqual([{ rule_id: 'registry-shadow' }, { rule_id: 'registry-drift' }]);
  });
});
