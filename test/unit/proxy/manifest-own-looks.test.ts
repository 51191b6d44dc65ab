import { afterEach, describe, expect, it, vi } from 'vitest';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import type { OrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import type { PeerWriter } from '../../../main/firewall/proxy/peer-writer.js';

afterEach(() => vi.useRealTimers());

describe("the firewall's own looks at a server that never answers them", () => {
  it('remembers a bounded number of its unanswered lists, however many calls ask for a look', () => {
    vi.useFakeTimers();
    const sent: Array<{ id: string }> = [];
    const filter = createManifestFilter({
      server: 'mute',
      link: { closed: false, onUnblocked: () => {}, manifest: async () => ({}) } as unknown as EngineLink,
      toClient: { send: () => true, reserve: () => () => {} } as unknown as OrderedWriter,
      toServer: { send: (line: string) => (sent.push(JSON.parse(line) as { id: string }), true) } as unknown as PeerWriter,
      tools: new Map(),
      protocolEvent: () => {},
    });
    filter.review('initialize', { jsonrpc: '2.0', id: 1, result: { capabilities: { tools: {} } } }, Buffer.from('{}'));
    filter.sessionReady();
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
    const sent: Array<{ id: string; method: string }> = [];
    const filter = createManifestFilter({
      server: 'files',
      link: { closed: false, onUnblocked: () => {}, manifest: async () => ({}) } as unknown as EngineLink,
      toClient: { send: () => true, reserve: () => () => {} } as unknown as OrderedWriter,
      toServer: { send: (line: string) => (sent.push(JSON.parse(line) as { id: string; method: string }), true) } as unknown as PeerWriter,
      tools: new Map(),
      protocolEvent: () => {},
    });
    filter.review('initialize', { jsonrpc: '2.0', id: 1, result: { capabilities: { resources: {} } } }, Buffer.from('{}'));
    filter.sessionReady();
    const own = sent.find((m) => m.method === 'resources/templates/list')!;
    return { filter, answer: (error: { code: number; message: string }) => filter.ownAnswer({ jsonrpc: '2.0', id: own.id, error }) };
  }

  it('takes "Method not found" to its own resources/templates/list as no templates: the server still serves reads', () => {
    const { filter, answer } = templatesLook();
    expect(filter.looking('resourceTemplates')).toBe(true);
    answer({ code: -32601, message: 'Method not found' });
    expect(filter.looking('resourceTemplates')).toBe(false);
    expect(filter.heldReason('resources/read', 'file:///notes.txt')).toBeNull();
  });

  it('refuses reads while the templates could not be checked for another reason', () => {
    const { filter, answer } = templatesLook();
    answer({ code: -32603, message: 'busy' });
    expect(filter.heldReason('resources/read', 'file:///notes.txt')).toMatch(
      /the server answered the firewall's own resources\/templates\/list with an error \(busy\), so the resource templates of 'files' could not be checked/,
    );
  });
});
