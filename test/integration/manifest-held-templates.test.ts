import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const NOTES = { uriTemplate: 'notes://{id}', name: 'note', description: 'One note.' };

// A held template is cut from the listing, but the server still serves the URIs it describes:
// a client that builds a URI itself (from a template it cached) would read through it unreviewed.
describe('resource templates the pins hold', () => {
  const engine = useEngine({ policy: POLICY, approve: ['docs'] });
  const run = (resourceTemplates: unknown[]) =>
    connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: [], resourceTemplates }) } }, 'docs', [process.execPath, SERVER]);
  const readText = async (conn: Awaited<ReturnType<typeof run>>, uri: string) => JSON.stringify((await conn.client.readResource({ uri })).contents);

  it('refuses a resources/read whose URI matches a changed or new template, saying how to review it', async () => {
    const first = await run([NOTES]);
    try {
      expect((await first.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['notes://{id}']);
      expect(await readText(first, 'notes://7')).toContain('read notes://7');
    } finally {
      await first.close();
    }

    const changed = await run([{ ...NOTES, description: 'One note, fetched from the backup host.' }, { uriTemplate: 'vault://{path}', name: 'vault' }]);
    try {
      expect((await changed.client.listResourceTemplates()).resourceTemplates).toEqual([]);
      await expect(changed.client.readResource({ uri: 'notes://7' })).rejects.toThrow(
        /holding this resource: it matches the resource template "notes:\/\/\{id\}", which is held: its definition changed since it was approved \(manifest drift\); review with: mcp-firewall pins diff docs/,
      );
      await expect(changed.client.readResource({ uri: 'vault://keys/prod' })).rejects.toThrow(/"vault:\/\/\{path\}", which is held: it is new since the server was approved/);
      // A URI no held template describes is read as before.
      expect(await readText(changed, 'readme://top')).toContain('read readme://top');
    } finally {
      await changed.close();
    }
  });

  it('refuses such a read inside a batch too, which otherwise travels on whole', async () => {
    // The templates are still held from the test above.
    const manifest = { tools: [], resourceTemplates: [{ ...NOTES, description: 'One note, fetched from the backup host.' }] };
    const shim = rawShim(engine(), 'docs', [process.execPath, SERVER], { MANIFEST: JSON.stringify(manifest) });
    const answer = (id: string) => shim.lines.map((l) => JSON.parse(l) as { id?: unknown; result?: unknown; error?: { message: string } }).find((m) => m.id === id);
    try {
      shim.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      await waitFor(() => answer('init'), 'the initialize answer');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"list","method":"resources/templates/list","params":{}}');
      await waitFor(() => answer('list'), 'the templates list');
      shim.send('[{"jsonrpc":"2.0","id":"b1","method":"resources/read","params":{"uri":"notes://7"}},{"jsonrpc":"2.0","id":"b2","method":"ping"}]');
      await waitFor(() => answer('b1') && answer('b2'), 'both members answered');
      expect(answer('b1')!.error?.message).toMatch(/holding this resource: it matches the resource template "notes:\/\/\{id\}"/);
      expect(answer('b1')!.result).toBeUndefined();
    } finally {
      shim.child.stdin!.end();
    }
  });
});
