import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareInterposer, type BareInterposer } from '../../helpers/bare-interposer.js';

const KIB = 1024;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'json-only', version: '1' } } };

describe('answers gathered for a client that takes only JSON', () => {
  let bare: BareInterposer;
  let endpoint: string;

  beforeAll(async () => {
    // Each ping of a batch answered with 40 KiB, one event at a time.
    bare = await startBareInterposer('mcpfw-json-budget-', ({ res, batch }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const m of batch ?? []) res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { pad: 'x'.repeat(40 * KIB) } })}\n\n`);
      res.end();
    }, { interposer: { answerBudgetBytes: 100 * KIB } });
    endpoint = bare.endpoint;
  });
  afterAll(() => bare.close());

  it("holds no more of them than the server's answer budget: the rest are answered with why", async () => {
    const init = await fetch(endpoint, { method: 'POST', headers: HEADERS, body: JSON.stringify(initialize) });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const batch = (ids: number[]) => fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify(ids.map((id) => ({ jsonrpc: '2.0', id, method: 'ping' }))) });

    const answered = await batch([11, 12, 13, 14]);
    expect(answered.status).toBe(200);
    const members = (await answered.json()) as Array<{ id: number; result?: unknown; error?: { code: number; message: string } }>;
    expect(members.map((m) => m.id).sort()).toEqual([11, 12, 13, 14]);
    // At most two of 40 KiB fit 100 KiB (fewer when the next is being read meanwhile): the
    // rest are refused, where they were held when the budget ran out.
    const kept = members.filter((m) => m.result !== undefined);
    const refused = members.filter((m) => m.error !== undefined);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThanOrEqual(2);
    expect(kept.length + refused.length).toBe(4);
    for (const { error } of refused) {
      expect(error).toMatchObject({ code: -32004, message: expect.stringMatching(/^remote server 'bare' (at \S+ )?sent answers larger than 100 KiB together at once/) });
    }
    // Sent: the budget is free again.
    const again = (await (await batch([15, 16])).json()) as Array<{ result?: unknown }>;
    expect(again.every((m) => m.result !== undefined)).toBe(true);
  });
});
