import { describe, expect, it } from 'vitest';
import { heldRefusal } from '../../../main/firewall/proxy/held-requests.js';
import { filterSession } from '../../helpers/manifest-filter-session.js';

/** A session whose own look at the templates found `notes://{id}` (held when `held`). */
async function templatesLooked(held: boolean) {
  const { filter, sent } = filterSession('files', { resources: {} }, { held: (): Record<string, string> => (held ? { 'template:notes://{id}': 'its definition changed' } : {}) });
  filter.ownAnswer({ jsonrpc: '2.0', id: sent[0]!.id, result: { resourceTemplates: [{ uriTemplate: 'notes://{id}', name: 'note' }] } });
  await new Promise((resolve) => setImmediate(resolve));
  return filter;
}

describe('a resources/read without a string URI', () => {
  it('is refused with the hold message while a template is held: a lenient server could read through it', async () => {
    const filter = await templatesLooked(true);
    for (const params of [undefined, {}, { uri: ['notes://7'] }, { uri: 7 }]) {
      expect(heldRefusal(filter, 'resources/read', params)).toBe(
        'MCP Firewall is holding this resource: the request names no URI (a string), so the firewall cannot tell whether a held resource template would serve it',
      );
    }
    expect(heldRefusal(filter, 'completion/complete', { ref: { type: 'ref/resource', uri: ['notes://{id}'] } })).toMatch(/^MCP Firewall is holding this resource template: the request names no URI/);
  });

  it('is left to the server when no template is held', async () => {
    const filter = await templatesLooked(false);
    expect(heldRefusal(filter, 'resources/read', {})).toBeNull();
  });
});
