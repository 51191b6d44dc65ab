import { describe, expect, it, vi } from 'vitest';
import { MAX_HELD } from '../../../main/firewall/proxy/held-items.js';
import { filterSession } from '../../helpers/manifest-filter-session.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
const tool = (name: string) => ({ name, description: `The ${name} tool.`, inputSchema: { type: 'object' } });
const fresh = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => tool(`${prefix}_${i}`));
const NEW_TOOL = 'a new tool nobody has reviewed';

/** A server whose every tool but read_notes is new to the pins (so held), its session started. */
function session(capabilities: Record<string, unknown> = { tools: {} }) {
  const s = filterSession('renamer', capabilities, {
    held: (items) => Object.fromEntries(items.filter((item) => item.name !== 'read_notes').map((item) => [item.uriTemplate ? `template:${String(item.uriTemplate)}` : item.name === undefined ? '' : String(item.name), NEW_TOOL])),
  });
  const answered = new Set<string>();
  const unanswered = (method: string) => s.sent.find((m) => m.method === method && !answered.has(m.id));
  /** Answers the firewall's next own request of `method` with `result` (looks close together go out spaced: it waits for it). */
  const answer = async (method: string, result: Record<string, unknown>) => {
    const request = await vi.waitFor(() => unanswered(method) ?? Promise.reject(new Error(`no ${method} yet`)), { timeout: 20_000, interval: 5 });
    answered.add(request.id);
    s.filter.ownAnswer({ jsonrpc: '2.0', id: request.id, result });
    await settle();
  };
  /** The client lists the tools itself, and the server answers `tools`. */
  const clientLists = async (tools: unknown[]) => {
    s.filter.review('tools/list', { jsonrpc: '2.0', id: 'c', result: { tools } }, Buffer.from('{}'));
    await settle();
  };
  return { ...s, answer, clientLists };
}

const PAST_BOUND = new RegExp(`'renamer' had more than ${MAX_HELD} tools held at once, more than the firewall keeps track of, so it refuses them all until a look of its own that keeps every hold goes through`);

describe('what the shim keeps held, against a server that renames its tools on every list_changed', () => {
  it('lets go the holds of tools a look no longer lists (refused as never listed), so only the latest listing is held', async () => {
    const { filter, answer } = session();
    // 6 looks × 2,000 fresh names: 12,000 holds, past the bound, had none been let go.
    for (let look = 0; look < 6; look++) {
      if (look > 0) filter.listChanged('tools');
      await answer('tools/list', { tools: [tool('read_notes'), ...fresh(`v${look}`, 2_000)] });
    }
    expect(filter.heldReason('tools/call', 'read_notes')).toBeNull();
    expect(filter.heldReason('tools/call', 'v0_0')).toBe("'renamer' never listed it, so the firewall has not checked its definition");
    expect(filter.heldReason('tools/call', 'v5_0')).toBe(NEW_TOOL);
  });

  it('refuses every call, saying why, once a hold past the bound could not be kept, and hides that tool from the client', async () => {
    const { filter, answer, clientLists, toClient } = session();
    await answer('tools/list', { tools: [tool('read_notes')] });
    await clientLists([tool('read_notes'), ...fresh('flood', MAX_HELD + 1)]);
    // Any name may be the one whose hold was not kept: read_notes is refused too.
    expect(filter.heldReason('tools/call', 'read_notes')).toMatch(PAST_BOUND);
    const shown = (JSON.parse(toClient.at(-1)!) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
    expect(shown).toEqual(['read_notes']);
    // A look that keeps every hold goes through: what it lists is all the firewall needs to know.
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes'), tool('flood_0')] });
    expect(filter.heldReason('tools/call', 'read_notes')).toBeNull();
    expect(filter.heldReason('tools/call', 'flood_0')).toBe(NEW_TOOL);
    expect(filter.heldReason('tools/call', `flood_${MAX_HELD}`)).toMatch(/never listed it/);
  });

  it('keeps refusing after a look during which a hold could not be kept', async () => {
    const { filter, answer, clientLists } = session();
    await answer('tools/list', { tools: [tool('read_notes')] });
    await clientLists(fresh('first', MAX_HELD));
    filter.listChanged('tools');
    // The look's first page is in; between its pages, a client's list brings one hold too many.
    await answer('tools/list', { tools: [tool('read_notes')], nextCursor: 'p2' });
    await clientLists([tool('late_one')]);
    await answer('tools/list', { tools: [tool('late_one')] });
    expect(filter.looking('tools')).toBe(false);
    expect(filter.heldReason('tools/call', 'read_notes')).toMatch(PAST_BOUND);
    // The next look, with room for every hold, ends it.
    filter.listChanged('tools');
    await answer('tools/list', { tools: [tool('read_notes'), tool('late_one')] });
    expect(filter.heldReason('tools/call', 'read_notes')).toBeNull();
    expect(filter.heldReason('tools/call', 'late_one')).toBe(NEW_TOOL);
  });

  it('refuses every read for the rest of the session once a held template could not be kept: a look cannot tell which it was', async () => {
    const { filter, answer } = session({ resources: {} });
    const templates = Array.from({ length: MAX_HELD + 1 }, (_, i) => ({ uriTemplate: `notes${i}://{id}`, name: `n${i}` }));
    await answer('resources/templates/list', { resourceTemplates: templates });
    expect(filter.readsNeedCheck()).toBe(true);
    expect(filter.heldReason('resources/read', 'file:///static.txt')).toMatch(new RegExp(`had more than ${MAX_HELD} resource templates held at once, .* for the rest of this session`));
    filter.listChanged('resourceTemplates');
    await answer('resources/templates/list', { resourceTemplates: [] });
    expect(filter.heldReason('resources/read', 'file:///static.txt')).toMatch(/for the rest of this session/);
  });
});
