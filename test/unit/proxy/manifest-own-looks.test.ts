import { afterEach, describe, expect, it, vi } from 'vitest';
import { filterSession } from '../../helpers/manifest-filter-session.js';

afterEach(() => vi.useRealTimers());

describe("the firewall's own looks at a server that never answers them", () => {
  it('remembers a bounded number of its unanswered lists, however many calls ask for a look', () => {
    vi.useFakeTimers();
    const { filter, sent } = filterSession('mute', { tools: {} });
    // Each call after a look that timed out starts another; none is ever answered.
    for (let call = 0; call < 200; call++) {
      vi.advanceTimersByTime(10_001);
      expect(filter.looking('tools')).toBe(true);
    }
    expect(sent).toHaveLength(201);
    const remembered = sent.filter((m) => filter.isOwnAnswer({ jsonrpc: '2.0', id: m.id, result: {} }));
    expect(remembered.length).toBeLessThanOrEqual(64);
    // The newest is still its own: its answer is taken, not passed to the client.
    expect(filter.isOwnAnswer({ jsonrpc: '2.0', id: sent.at(-1)!.id, result: {} })).toBe(true);
  });

  function templatesLook() {
    const { filter, ownId } = filterSession('files', { resources: {} });
    const own = { id: ownId('resources/templates/list') };
    return {
      filter,
      answer: (error: { code: number; message: string }) => filter.ownAnswer({ jsonrpc: '2.0', id: own.id, error }),
      answerWith: (reply: { result?: unknown; error?: unknown }) => filter.ownAnswer({ jsonrpc: '2.0', id: own.id, ...reply }),
    };
  }

  it('takes "Method not found" to its own resources/templates/list as no templates: the server still serves reads', () => {
    const { filter, answer } = templatesLook();
    expect(filter.looking('resourceTemplates')).toBe(true);
    answer({ code: -32601, message: 'Method not found' });
    expect(filter.looking('resourceTemplates')).toBe(false);
    expect(filter.heldReason('resources/read', 'file:///notes.txt')).toBeNull();
  });

  it('takes any other error, or an answer without the list, as no templates: a static resource is still read', () => {
    for (const reply of [{ error: { code: -32603, message: 'not implemented' } }, { error: { code: -32602, message: 'unsupported' } }, { result: {} }]) {
      const { filter, answerWith } = templatesLook();
      answerWith(reply);
      expect(filter.looking('resourceTemplates')).toBe(false);
      expect(filter.readsNeedCheck()).toBe(false);
      expect(filter.heldReason('resources/read', 'file:///notes.txt')).toBeNull();
    }
  });

  it('still refuses reads when the templates list is not answered at all within 10 s', () => {
    vi.useFakeTimers();
    const { filter } = templatesLook();
    vi.advanceTimersByTime(10_001);
    expect(filter.readsNeedCheck()).toBe(true);
    expect(filter.heldReason('resources/read', 'file:///notes.txt')).toMatch(/could not check the resource templates of 'files' within 10 s/);
  });

  it('keeps refusing gets when its own prompts/list fails other than "Method not found", with the server\'s error', () => {
    const { filter, ownId } = filterSession('desk', { prompts: {} });
    filter.ownAnswer({ jsonrpc: '2.0', id: ownId('prompts/list'), error: { code: -32603, message: 'busy' } });
    expect(filter.heldReason('prompts/get', 'triage')).toMatch(/own prompts\/list with an error \(busy\), so the prompts of 'desk' could not be checked/);
  });

  it("skips, for its own list, an id a client request in flight uses, so no answer is taken as the other's", () => {
    const { filter, sent } = filterSession('desk', { tools: {} }, { clientIdInUse: (id) => id === 'mcp-firewall/1' });
    expect(sent.map((m) => m.id)).toEqual(['mcp-firewall/2']);
    expect(filter.isOwnId('mcp-firewall/1')).toBe(false);
    expect(filter.isOwnId('mcp-firewall/2')).toBe(true);
    expect(filter.isOwnId(2)).toBe(false);
  });
});
