import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const schema = { type: 'object', properties: {} };
const tool = (name: string) => ({ name, description: `Reads ${name}.`, inputSchema: schema });

describe('first sight of a paginated tool list', () => {
  const engine = useEngine({ policy: POLICY, approve: ['paged'] });
  const manifestRows = () =>
    JSON.parse(engine().cli(['audit', 'query', "SELECT decision, tool_name, reason FROM mcp_audit WHERE event = 'manifest' AND server_name = 'paged' ORDER BY id", '--json']).stdout) as Array<{ decision: string; tool_name: string | null; reason: string }>;
  const run = (pages: unknown[][]) => connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: pages }) } }, 'paged', [process.execPath, SERVER]);

  it('pins the tools of every page, not only the first, and holds a tool added after', async () => {
    const first = await run([[tool('a_tool')], [tool('b_tool')], [tool('c_tool')]]);
    try {
      const p1 = await first.client.listTools();
      const p2 = await first.client.listTools({ cursor: p1.nextCursor });
      const p3 = await first.client.listTools({ cursor: p2.nextCursor });
      expect([...p1.tools, ...p2.tools, ...p3.tools].map((t) => t.name)).toEqual(['a_tool', 'b_tool', 'c_tool']);
      expect(JSON.stringify(await first.client.callTool({ name: 'c_tool', arguments: {} }))).not.toMatch(/holding|new since/);
    } finally {
      await first.close();
    }
    expect(manifestRows().filter((row) => row.decision !== 'PINNED')).toEqual([]);
    // First sight is over once the listing ended: a tool on a later page now is new, held.
    const later = await run([[tool('a_tool')], [tool('b_tool')], [tool('c_tool'), tool('d_tool')]]);
    try {
      await expect(later.client.callTool({ name: 'd_tool', arguments: {} })).rejects.toThrow(/new since the server was approved/);
      await expect(later.client.callTool({ name: 'c_tool', arguments: {} })).resolves.toBeDefined();
    } finally {
      await later.close();
    }
    expect(manifestRows().filter((row) => row.decision === 'NEW_TOOL').map((row) => row.tool_name)).toEqual(['d_tool']);
  });
});
