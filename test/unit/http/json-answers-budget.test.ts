import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpInterposer, type HttpInterposer } from '../../../main/firewall/http/interposer.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { routeUrl } from '../../helpers/engine-harness.js';
import { startBareRemote, type BareRemote } from '../../helpers/bare-remote.js';
import { startInProcessEngine, type InProcessEngine } from '../../helpers/in-process-engine.js';

const KIB = 1024;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'json-only', version: '1' } } };

describe('answers gathered for a client that takes only JSON', () => {
  let running: InProcessEngine;
  let remote: BareRemote;
  let interposer: HttpInterposer;
  let server: ReturnType<typeof createServer>;
  let endpoint: string;

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-json-budget-', { secretEnv: async () => ({}) });
    // Each ping of a batch answered with 40 KiB, one event at a time.
    remote = await startBareRemote(({ res, batch }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const m of batch ?? []) res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { pad: 'x'.repeat(40 * KIB) } })}\n\n`);
      res.end();
    });
    approveServer(running.engine.registry, running.engine.audit, 'bare', 'test', remoteFingerprint(remote.url));
    interposer = createHttpInterposer(running.engine, { socketPath: running.engine.paths.socket, answerBudgetBytes: 100 * KIB });
    server = createServer((req, res) => void interposer.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = routeUrl((server.address() as AddressInfo).port, running.engine.routeKey, 'bare');
  });
  afterAll(async () => {
    interposer.close();
    await new Promise((resolve) => server.close(resolve));
    await remote.close();
    await running.close();
  });

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
