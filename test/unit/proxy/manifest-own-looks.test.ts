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
      expect(filter.looking()).toBe(true);
    }
    expect(sent).toHaveLength(201);
    const remembered = sent.filter((m) => filter.isOwnAnswer({ jsonrpc: '2.0', id: m.id, result: {} }));
    expect(remembered.length).toBeLessThanOrEqual(64);
    // The newest is still its own: its answer is taken, not passed to the client.
    expect(filter.isOwnAnswer({ jsonrpc: '2.0', id: sent.at(-1)!.id, result: {} })).toBe(true);
  });
});
