import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/verdict.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { createOutputStage } from '../../../main/firewall/proxy/output-stage.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// Answers the shim holds for the engine keep their place in line (ordered-writer.ts); an
// engine that never answers must not hold up the session behind them.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** What reaches the client, through the shim's ordered writer. */
function orderedClient() {
  const client = recordingWriter();
  return { client, toClient: createOrderedWriter(client) };
}

describe('an answer held for the engine', () => {
  it('for the pins is refused after a while when the engine never answers, and what waited behind it goes on', () => {
    const { client, toClient } = orderedClient();
    // An engine that is up but never answers.
    const link = { manifest: () => new Promise(() => {}), onUnblocked: () => {} } as unknown as EngineLink;
    const filter = createManifestFilter({ server: 'srv', link, toClient, toServer: recordingWriter(), tools: new Map(), protocolEvent: () => {} });
    const list = { jsonrpc: '2.0' as const, id: 7, result: { tools: [{ name: 'read_note', inputSchema: { type: 'object' } }] } };
    expect(filter.review('tools/list', list, Buffer.from(JSON.stringify(list)))).toBe(true);
    toClient.send('{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"after"}}');
    expect(client.sent).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(client.sent).toHaveLength(2);
    expect(JSON.parse(client.sent[0]!)).toMatchObject({ id: 7, error: { message: expect.stringContaining('the engine did not answer within 10 s') } });
    expect(client.sent[1]).toContain('"after"');
  });

  it('for the quarantine is withheld after a while when the engine never stores it, and what waited behind it goes on', () => {
    const { client, toClient } = orderedClient();
    const link = { quarantine: () => new Promise(() => {}), onReleased: () => {}, onReleaseTaken: () => {}, event: () => {}, record: () => {}, flush: () => {} } as unknown as EngineLink;
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
