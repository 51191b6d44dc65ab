import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { createOutputStage } from '../../../main/firewall/proxy/output-stage.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import type { PeerWriter } from '../../../main/firewall/proxy/peer-writer.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/verdict.js';

afterEach(() => vi.useRealTimers());

function recorder(): PeerWriter & { sent: string[] } {
  const sent: string[] = [];
  return { sent, open: true, send: (line) => sent.push(String(line)) > 0, onDrain: () => {}, batchThisTick: () => {}, end: () => {} };
}

describe('a quarantined answer', () => {
  it('is withheld after a while when the engine never stores it, and what waited behind it goes on', () => {
    vi.useFakeTimers();
    const client = recorder();
    const toClient = createOrderedWriter(client);
    const link = { quarantine: () => new Promise(() => {}), onReleased: () => {}, event: () => {}, record: () => {}, flush: () => {} } as unknown as EngineLink;
    const stage = createOutputStage({ link, toClient, thresholds: () => ({ ...DEFAULT_OUTPUT_THRESHOLDS, quarantineSecretCount: 2 }), row: (_call, fields) => ({ event: 'result', ...fields }) });
    // Two different cloud secrets: quarantine, not redaction.
    const line = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc and AKIAZ3MUOHLQ4XPRTN2W' }] } });
    stage.deliver({ id: 3, tool: 'read_env', argsDigest: 'd', info: {} as never }, { raw: Buffer.from(line), text: line, failed: false }, 1);
    toClient.send('{"jsonrpc":"2.0","id":4,"result":{}}');
    expect(client.sent).toEqual([]);
    vi.advanceTimersByTime(30_000);
    expect(client.sent).toHaveLength(2);
    expect(JSON.parse(client.sent[0]!)).toMatchObject({ id: 3, error: { message: expect.stringContaining('could not store it: the engine did not answer within 30 s') } });
    expect(client.sent[1]).toContain('"id":4');
  });
});
