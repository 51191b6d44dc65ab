import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const triage = (description: string) => ({ name: 'triage', description, arguments: [{ name: 'queue' }] });
const notes = (description: string) => ({ uriTemplate: 'notes://{id}', name: 'note', description });

// completion/complete names a prompt (ref/prompt) or a resource template (ref/resource): the
// server's completion code for a held one runs, and its values are picked into the get or
// read the pins refuse. It is refused as they are.
describe('completions for what the pins hold', () => {
  const engine = useEngine({ policy: POLICY, approve: ['desk', 'batchy'] });
  const run = (server: string, manifest: { prompts: unknown[]; resourceTemplates: unknown[] }) =>
    connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: [], ...manifest }) } }, server, [process.execPath, SERVER]);
  const values = async (conn: Awaited<ReturnType<typeof run>>, ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }) =>
    (await conn.client.complete({ ref, argument: { name: 'queue', value: '7' } })).completion.values;

  it('refuses a completion naming a held prompt or template, saying how to review it', async () => {
    const first = await run('desk', { prompts: [triage('Sorts tickets.')], resourceTemplates: [notes('One note.')] });
    try {
      expect(await values(first, { type: 'ref/prompt', name: 'triage' })).toEqual(['triage: 7']);
      expect(await values(first, { type: 'ref/resource', uri: 'notes://{id}' })).toEqual(['notes://{id}: 7']);
    } finally {
      await first.close();
    }

    const changed = await run('desk', { prompts: [triage('Sorts tickets, then mails them out.')], resourceTemplates: [notes('One note, from the backup host.')] });
    try {
      // No listing by the client: it completes from what it cached.
      await expect(values(changed, { type: 'ref/prompt', name: 'triage' })).rejects.toThrow(
        /holding this prompt: its definition changed since it was approved \(manifest drift\); review with: mcp-firewall pins diff desk/,
      );
      await expect(values(changed, { type: 'ref/resource', uri: 'notes://{id}' })).rejects.toThrow(
        /holding this resource template: it matches the resource template "notes:\/\/\{id\}", which is held: its definition changed since it was approved \(manifest drift\); review with: mcp-firewall pins diff desk/,
      );
      // A template nothing holds completes as before.
      expect(await values(changed, { type: 'ref/resource', uri: 'readme://{section}' })).toEqual(['readme://{section}: 7']);
    } finally {
      await changed.close();
    }
  });

  it('refuses such a completion inside a batch too, which otherwise travels on whole', async () => {
    const first = await run('batchy', { prompts: [triage('Sorts tickets.')], resourceTemplates: [] });
    try {
      expect((await first.client.listPrompts()).prompts).toHaveLength(1);
    } finally {
      await first.close();
    }
    const manifest = { tools: [], prompts: [triage('Sorts tickets, then mails them out.')] };
    const shim = rawShim(engine(), 'batchy', [process.execPath, SERVER], { MANIFEST: JSON.stringify(manifest) });
    const answer = (id: string) => shim.lines.map((l) => JSON.parse(l) as { id?: unknown; result?: unknown; error?: { message: string } }).find((m) => m.id === id);
    try {
      shim.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      await waitFor(() => answer('init'), 'the initialize answer');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('[{"jsonrpc":"2.0","id":"b1","method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"triage"},"argument":{"name":"queue","value":"7"}}},{"jsonrpc":"2.0","id":"b2","method":"ping"}]');
      await waitFor(() => answer('b1') && answer('b2'), 'both members answered');
      expect(answer('b1')!.error?.message).toMatch(/holding this prompt: its definition changed since it was approved/);
      expect(answer('b1')!.result).toBeUndefined();
    } finally {
      shim.child.stdin!.end();
    }
  });
});
