import { describe, expect, it } from 'vitest';
import { filterSession } from '../../helpers/manifest-filter-session.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
const NAMES = ['toString', 'constructor', 'hasOwnProperty', '__proto__'];
const tools = NAMES.map((name) => ({ name, description: `The ${name} tool.`, inputSchema: { type: 'object' } }));

// The engine's verdict is a JSON object keyed by name: read as a plain object, a tool named
// after an Object.prototype member found that member there, and was held with a function for
// its reason (its calls refused as `function toString() { [native code] }`).
describe('tools named after members of Object.prototype', () => {
  it('are neither held nor hidden when the engine blocks only another tool', async () => {
    const verdict = JSON.parse('{"other":"a new tool nobody has reviewed"}') as Record<string, string>;
    const listed = [...tools, { name: 'other', inputSchema: { type: 'object' } }];
    const { filter, ownId, toClient } = filterSession('desk', { tools: {} }, { held: () => verdict });
    filter.ownAnswer({ jsonrpc: '2.0', id: ownId('tools/list'), result: { tools: listed } });
    await settle();
    for (const name of NAMES) expect(filter.heldReason('tools/call', name)).toBeNull();
    filter.review('tools/list', { jsonrpc: '2.0', id: 2, result: { tools: listed } }, Buffer.from('{}'));
    await settle();
    const shown = (JSON.parse(toClient.at(-1)!) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
    expect(shown).toEqual(NAMES);
  });

  it('are held when the engine says so, with its reason', async () => {
    const verdict = JSON.parse('{"toString":"its definition changed since it was approved"}') as Record<string, string>;
    const { filter, ownId } = filterSession('desk', { tools: {} }, { held: () => verdict });
    filter.ownAnswer({ jsonrpc: '2.0', id: ownId('tools/list'), result: { tools } });
    await settle();
    expect(filter.heldReason('tools/call', 'toString')).toBe('its definition changed since it was approved');
    expect(filter.heldReason('tools/call', 'constructor')).toBeNull();
  });
});

describe('a tool named __proto__ that the engine holds', () => {
  it('is held by the shim, with the reason the engine sent', async () => {
    const verdict = JSON.parse('{"__proto__":"it is new since the server was approved"}') as Record<string, string>;
    const { filter, ownId } = filterSession('desk', { tools: {} }, { held: () => verdict });
    filter.ownAnswer({ jsonrpc: '2.0', id: ownId('tools/list'), result: { tools } });
    await settle();
    expect(filter.heldReason('tools/call', '__proto__')).toBe('it is new since the server was approved');
  });
});
