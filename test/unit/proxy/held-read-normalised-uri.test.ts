import { describe, expect, it } from 'vitest';
import { heldRefusal } from '../../../main/firewall/proxy/held-requests.js';
import { filterSession } from '../../helpers/manifest-filter-session.js';

/** A session whose own look at the templates found `notes://{id}`, held. */
async function templateHeld() {
  const { filter, sent } = filterSession('files', { resources: {} }, { held: (): Record<string, string> => ({ 'template:notes://{id}': 'its definition changed' }) });
  filter.ownAnswer({ jsonrpc: '2.0', id: sent[0]!.id, result: { resourceTemplates: [{ uriTemplate: 'notes://{id}', name: 'note' }] } });
  await new Promise((resolve) => setImmediate(resolve));
  return filter;
}

describe('a read of a held template through a URI the server normalises', () => {
  it('is refused: the TypeScript SDK routes new URL(uri).toString(), which drops the space and the tab', async () => {
    const filter = await templateHeld();
    for (const uri of [' notes://7', 'no\ttes://7', 'notes:/\n/7']) {
      expect(heldRefusal(filter, 'resources/read', { uri })).toMatch(/^MCP Firewall is holding this resource: it matches the resource template "notes:\/\/\{id\}"/);
    }
    expect(heldRefusal(filter, 'resources/read', { uri: 'tickets://7' })).toBeNull();
  });

  it('is refused as a completion naming the template by a normalised form too', async () => {
    const filter = await templateHeld();
    expect(heldRefusal(filter, 'completion/complete', { ref: { type: 'ref/resource', uri: ' notes://{id}' }, argument: { name: 'id', value: '' } })).toMatch(
      /^MCP Firewall is holding this resource template: it matches the resource template "notes:\/\/\{id\}"/,
    );
  });
});
