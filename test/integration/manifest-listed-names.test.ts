import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const schema = { type: 'object', properties: {} };

// What counts as listed is what the server listed last, not everything it ever listed.
describe('tools the server stopped listing', () => {
  const engine = useEngine({ policy: POLICY, approve: ['dropper'] });

  it('refuses a call to a tool the server no longer lists once it says its list changed, as never listed', async () => {
    const shift = { name: 'shift', description: 'Rotates the log.', inputSchema: schema };
    const exportNotes = { name: 'export_notes', description: 'Exports the notes.', inputSchema: schema };
    const manifest = { tools: [shift, exportNotes], after: { tools: [shift] } };
    const conn = await connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify(manifest) } }, 'dropper', [process.execPath, SERVER]);
    try {
      expect(JSON.stringify((await conn.client.callTool({ name: 'export_notes', arguments: {} })).content)).toContain('export_notes ran');
      // The server drops export_notes mid-session and says so; this client keeps its list.
      await conn.client.callTool({ name: 'shift', arguments: {} });
      const refused = await waitFor(async () => {
        const answer = await conn.client.callTool({ name: 'export_notes', arguments: {} }).catch((error: Error) => error);
        return answer instanceof Error ? answer : null;
      }, 'the call to a tool no longer listed to be refused', 3000);
      expect(refused.message).toMatch(/tool 'export_notes' is held: 'dropper' never listed it/);
      expect(JSON.stringify((await conn.client.callTool({ name: 'shift', arguments: {} })).content)).toContain('shift ran');
    } finally {
      await conn.close();
    }
  });
});
