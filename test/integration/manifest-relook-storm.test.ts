import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';

// Each list_changed asks for a look of the firewall's own; a server that sends one right
// after every answer, the firewall's own lists included, had the shim list (and the engine
// check each list) at wire speed, whether each look went through or was made stale.
describe('a server that says its prompt list changed right after each answer', () => {
  const engine = useEngine({ policy: POLICY, approve: ['storm'] });

  it('is listed a handful of times in two seconds, not once per answer', async () => {
    const manifest = {
      tools: [{ name: 'count_prompt_lists', description: 'Counts.', inputSchema: { type: 'object', properties: {} } }],
      prompts: [{ name: 'triage', description: 'Sorts tickets.' }],
      promptsChangeAfterEachAnswer: true,
    };
    const conn = await connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify(manifest) } }, 'storm', [process.execPath, SERVER]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const counted = await conn.client.callTool({ name: 'count_prompt_lists', arguments: {} });
      const lists = Number((counted.content as Array<{ text: string }>)[0]!.text);
      // Twice at once, then 50, 100, 200, 400 and 800 ms apart: seven by two seconds (once per
      // answer, it was over 20 000).
      expect(lists).toBeGreaterThanOrEqual(2);
      expect(lists).toBeLessThanOrEqual(10);
    } finally {
      await conn.close();
    }
  });
});
