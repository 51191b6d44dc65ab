import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { startBareRemote, type BareRemote } from '../../helpers/bare-remote.js';
import { startInProcessEngine, type InProcessEngine } from '../../helpers/in-process-engine.js';
import { waitFor } from '../../helpers/engine-harness.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'batch-test', version: '1' } } };
const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });

/** The text of a POST's answer, or 'no answer' when none came in time. */
async function answerWithin(response: Promise<Response>, ms: number): Promise<string> {
  const text = response.then((r) => r.text());
  return Promise.race([text, new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), ms))]);
}

describe('a server batch answering requests of two POSTs', () => {
  let running: InProcessEngine;
  let remote: BareRemote;
  // The first ping's stream is held; the second's answers both, as one batch.
  let held: ServerResponse | null = null;

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-batch-', { secretEnv: async () => ({}) });
    remote = await startBareRemote(({ res, message }) => {
      if (!held) {
        held = res;
        return void res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      }
      const batch = [{ jsonrpc: '2.0', id: 10, result: {} }, { jsonrpc: '2.0', id: message.id, result: {} }];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message\ndata: ${JSON.stringify(batch)}\n\n`);
    });
    approveServer(running.engine.registry, running.engine.audit, 'bare', 'test', remoteFingerprint(remote.url));
  });
  afterAll(async () => {
    await remote.close();
    await running.close();
  });

  it.each([
    ['an event stream', HEADERS.accept],
    ['a JSON body', 'application/json'],
  ])('hands each POST its own answer, as %s', async (_, accept) => {
    held = null;
    const url = running.endpoint('bare');
    const init = await fetch(url, { method: 'POST', headers: { ...HEADERS, accept }, body: JSON.stringify(initialize) });
    expect(init.status).toBe(200);
    await init.text();
    const session = { ...HEADERS, accept, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const first = fetch(url, { method: 'POST', headers: session, body: JSON.stringify(ping(10)) });
    await waitFor(() => held, "the first ping's stream to be held", 20_000);
    expect(held).not.toBeNull();
    const second = fetch(url, { method: 'POST', headers: session, body: JSON.stringify(ping(11)) });
    const [a, b] = await Promise.all([answerWithin(first, 15_000), answerWithin(second, 15_000)]);
    // Before: the whole batch went to the first POST, and the second never got its answer.
    expect(a).toContain('"id":10');
    expect(a).not.toContain('"id":11');
    expect(b).toContain('"id":11');
    expect(b).not.toContain('"id":10');
    await fetch(url, { method: 'DELETE', headers: session });
  });
});
