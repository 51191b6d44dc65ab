import { afterEach, describe, expect, it, vi } from 'vitest';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import type { PeerWriter } from '../../../main/firewall/proxy/peer-writer.js';

afterEach(() => vi.useRealTimers());

function recorder(): PeerWriter & { sent: string[] } {
  const sent: string[] = [];
  return { sent, open: true, send: (line) => sent.push(String(line)) > 0, onDrain: () => {}, batchThisTick: () => {}, end: () => {} };
}

describe('an answer held for the pins', () => {
  it('is refused after a while when the engine never answers, and what waited behind it goes on', () => {
    vi.useFakeTimers();
    const client = recorder();
    const toClient = createOrderedWriter(client);
    // An engine that is up but never answers.
    const link = { manifest: () => new Promise(() => {}), onUnblocked: () => {} } as unknown as EngineLink;
    const filter = createManifestFilter({ server: 'srv', link, toClient, toServer: recorder(), tools: new Map() });
    const list = { jsonrpc: '2.0' as const, id: 7, result: { tools: [{ name: 'read_note', inputSchema: { type: 'object' } }] } };
    expect(filter.review('tools/list', list, Buffer.from(JSON.stringify(list)))).toBe(true);
    toClient.send('{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"after"}}');
    expect(client.sent).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(client.sent).toHaveLength(2);
    expect(JSON.parse(client.sent[0]!)).toMatchObject({ id: 7, error: { message: expect.stringContaining('the engine did not answer within 10 s') } });
    expect(client.sent[1]).toContain('"after"');
  });
});
