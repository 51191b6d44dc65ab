import { describe, expect, it } from 'vitest';
import { MAX_LISTED_NAMES } from '../../../main/firewall/proxy/manifest-filter.js';
import { filterSession } from '../../helpers/manifest-filter-session.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
const tool = (name: string, description = `The ${name} tool.`) => ({ name, description, inputSchema: { type: 'object' } });

// What counts as listed follows the server's latest complete listing, seen by the firewall's
// own look: a tool or prompt the server stopped listing is not called or got as listed.
function session(capabilities: Record<string, unknown>, held: Record<string, string> = {}) {
  const s = filterSession('desk', capabilities, { held: () => held });
  const lists = (method: string) => s.sent.filter((m) => m.method === method);
  /** Answers the firewall's latest own request of `method` with `result`. */
  const answer = async (method: string, result: Record<string, unknown>) => {
    s.filter.ownAnswer({ jsonrpc: '2.0', id: lists(method).at(-1)!.id, result });
    await settle();
  };
  return { ...s, lists, answer };
}

describe('names the server listed, as the firewall\'s latest own look saw them', () => {
  it('refuses a call to a tool a later look no longer shows, as never listed, and forgets its description', async () => {
    const { filter, answer, tools } = session({ tools: {} });
    await answer('tools/list', { tools: [tool('read_notes'), tool('delete_notes', 'Deletes notes.')] });
    expect(filter.heldReason('tools/call', 'delete_notes')).toBeNull();
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes')] });
    expect(filter.looking('tools')).toBe(false);
    expect(filter.heldReason('tools/call', 'delete_notes')).toBe("'desk' never listed it, so the firewall has not checked its definition");
    expect(filter.heldReason('tools/call', 'read_notes')).toBeNull();
    expect([...tools.keys()]).toEqual(['read_notes']);
  });

  it('refuses a get of a prompt a later look no longer shows, as never listed', async () => {
    const { filter, answer } = session({ prompts: {} });
    await answer('prompts/list', { prompts: [{ name: 'triage' }, { name: 'export_everything' }] });
    expect(filter.heldReason('prompts/get', 'export_everything')).toBeNull();
    filter.listChanged('prompts');
    await answer('prompts/list', { prompts: [{ name: 'triage' }] });
    expect(filter.heldReason('prompts/get', 'export_everything')).toMatch(/'desk' never listed it/);
    expect(filter.heldReason('prompts/get', 'triage')).toBeNull();
  });

  it('keeps the names of every page of a look, and replaces what counted as listed only once the last page is in', async () => {
    const { filter, answer, lists } = session({ tools: {} });
    await answer('tools/list', { tools: [tool('old_tool')] });
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('first_page')], nextCursor: 'p2' });
    // Calls wait while the look reads its pages: nothing is decided on half a list.
    expect(filter.looking('tools')).toBe(true);
    expect(lists('tools/list')).toHaveLength(3);
    await answer('tools/list', { tools: [tool('second_page')] });
    expect(filter.looking('tools')).toBe(false);
    for (const name of ['first_page', 'second_page']) expect(filter.heldReason('tools/call', name)).toBeNull();
    expect(filter.heldReason('tools/call', 'old_tool')).toMatch(/never listed it/);
  });

  it("adds what a client's own list shows between looks, until a look that goes through says otherwise", async () => {
    const { filter, answer } = session({ tools: {} });
    await answer('tools/list', { tools: [tool('read_notes')] });
    filter.review('tools/list', { jsonrpc: '2.0', id: 7, result: { tools: [tool('read_notes'), tool('export_notes')] } }, Buffer.from('{}'));
    await settle();
    expect(filter.heldReason('tools/call', 'export_notes')).toBeNull();
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes')] });
    expect(filter.heldReason('tools/call', 'export_notes')).toMatch(/never listed it/);
  });

  it('keeps a held tool refused, listed or not: held while listed, never listed once it is not, held again when listed again', async () => {
    const held = { delete_notes: 'its definition changed since it was approved' };
    const { filter, answer } = session({ tools: {} }, held);
    await answer('tools/list', { tools: [tool('read_notes'), tool('delete_notes')] });
    expect(filter.heldReason('tools/call', 'delete_notes')).toBe(held.delete_notes);
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes')] });
    // Its hold is let go with its name (held-items.ts): a server renaming its tools must not grow it.
    expect(filter.heldReason('tools/call', 'delete_notes')).toMatch(/never listed it/);
    filter.review('tools/list', { jsonrpc: '2.0', id: 9, result: { tools: [tool('delete_notes')] } }, Buffer.from('{}'));
    await settle();
    expect(filter.heldReason('tools/call', 'delete_notes')).toBe(held.delete_notes);
  });

  it(`fails a look that lists more than ${MAX_LISTED_NAMES} tools, refusing calls with why, rather than grow without bound`, async () => {
    const { filter, answer } = session({ tools: {} });
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => tool(`t${from + i}`));
    await answer('tools/list', { tools: many(0, MAX_LISTED_NAMES / 2), nextCursor: 'p2' });
    await answer('tools/list', { tools: many(MAX_LISTED_NAMES / 2, MAX_LISTED_NAMES / 2 + 1) });
    expect(filter.looking('tools')).toBe(true); // the failed look is started again by the next call
    expect(filter.heldReason('tools/call', 't0')).toBe(`'desk' listed more than ${MAX_LISTED_NAMES} tools, more than the firewall keeps track of, so the tools of 'desk' could not be checked`);
  });

  it(`does not remember names a client's list shows past ${MAX_LISTED_NAMES}, and refuses their calls saying why`, async () => {
    const { filter, answer, tools } = session({ tools: {} });
    await answer('tools/list', { tools: [tool('read_notes')] });
    const flood = Array.from({ length: MAX_LISTED_NAMES }, (_, i) => tool(`fresh_${i}`));
    filter.review('tools/list', { jsonrpc: '2.0', id: 7, result: { tools: flood } }, Buffer.from('{}'));
    await settle();
    expect(tools.size).toBe(MAX_LISTED_NAMES);
    expect(filter.heldReason('tools/call', 'read_notes')).toBeNull();
    expect(filter.heldReason('tools/call', `fresh_${MAX_LISTED_NAMES - 1}`)).toMatch(/listed more than 10000 tools since the firewall last looked, more than it keeps track of, and this one is not among those kept/);
    // A look that goes through is what the server has: the memory shrinks to it.
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes')] });
    expect(tools.size).toBe(1);
    expect(filter.heldReason('tools/call', `fresh_${MAX_LISTED_NAMES - 1}`)).toBe("'desk' never listed it, so the firewall has not checked its definition");
  });
});
