import { describe, expect, it } from 'vitest';
import { createAnswerBudget } from '../../../main/firewall/http/answer-limits.js';
import { createSseUpstream } from '../../../main/firewall/http/sse-upstream.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { drive } from './drive-upstream.js';

const KIB = 1024;
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };
const INIT_RESULT = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'big', version: '1' } };
const pause = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream body the test writes SSE events to, as the server sends them. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const send = (data: unknown, event = 'message') => {
    try {
      controller.enqueue(new TextEncoder().encode(`event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
    } catch {
      // The firewall cancelled the stream: what the server sends now is lost.
    }
  };
  return { response: () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }), send };
}

const bulky = (size: number) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(size) } });

describe("a session's long-lived stream, while other sessions fill the server's answer budget", () => {
  it('drops one server-initiated message that does not fit, tells the client, and still relays the GET stream once the peak has passed', async () => {
    const budget = createAnswerBudget(100 * KIB);
    const stream = eventStream();
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      if (init.method === 'GET') return stream.response();
      const message = JSON.parse(String(init.body)) as { id?: number; method: string };
      if (message.method === 'initialize') return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: fakeFetch, answerBudget: budget });
    const { send, answer, lines } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    send(INITIALIZED);
    await pause();
    // Another session of the server holds 90 KiB of answers its client has not read yet.
    budget.take(90 * KIB);
    stream.send(bulky(20 * KIB));
    // The peak lasts until the firewall has read the message (and told the client it dropped it).
    await waitFor(() => lines.some((l) => l.method === 'notifications/message'), 'the message to be read while the budget is full');
    budget.give(90 * KIB);
    stream.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await waitFor(() => lines.some((l) => l.method === 'notifications/tools/list_changed'), 'the list_changed after the peak');
    expect(lines.filter((l) => l.method === 'notifications/message').map((l) => (l.params as { data: string }).data)).toEqual([
      expect.stringMatching(/^remote server 'big' at https:\/\/big\.example\/mcp sent answers larger than 100 KiB together at once/),
    ]);
    expect(lines.some((l) => l.method === 'notifications/tools/list_changed')).toBe(true);
    upstream.kill();
  });

  it("answers a request of the server's own that does not fit with an error, so the server does not wait for it", async () => {
    const budget = createAnswerBudget(100 * KIB);
    const stream = eventStream();
    const posted: Array<Record<string, unknown>> = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      if (init.method === 'GET') return stream.response();
      const message = JSON.parse(String(init.body)) as { id?: number; method: string };
      posted.push(message);
      if (message.method === 'initialize') return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: fakeFetch, answerBudget: budget });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    send(INITIALIZED);
    await pause();
    budget.take(90 * KIB);
    stream.send({ jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'z'.repeat(20 * KIB) } }], maxTokens: 10 } });
    await waitFor(() => posted.some((m) => m.id === 'srv-1'), "the answer to the server's request");
    expect(posted.find((m) => m.id === 'srv-1')).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/^remote server 'big' at https:\/\/big\.example\/mcp sent answers larger than 100 KiB together at once/) } });
    upstream.kill();
  });

  it('keeps a legacy SSE session when an answer does not fit: that request fails with why, the next is answered', async () => {
    const budget = createAnswerBudget(100 * KIB);
    const stream = eventStream();
    let heldByOthers = 0;
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      if (init.method === 'GET') {
        setImmediate(() => stream.send('/messages?session=1', 'endpoint'));
        return stream.response();
      }
      const message = JSON.parse(String(init.body)) as { id?: number; method: string };
      setImmediate(() => {
        if (message.method === 'initialize') return stream.send({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT });
        // The TypeScript SDK's layout: the id last, after the large result.
        stream.send(`{"result":{"content":[{"type":"text","text":"${'y'.repeat(20 * KIB)}"}]},"jsonrpc":"2.0","id":${message.id}}`);
        // The other session's client reads its answers a moment later.
        setTimeout(() => {
          budget.give(heldByOthers);
          heldByOthers = 0;
        }, 50);
      });
      return new Response('Accepted', { status: 202 });
    }) as typeof fetch;
    const upstream = createSseUpstream({ server: 'big', url: 'https://big.example/sse', fetch: fakeFetch, answerBudget: budget });
    let exited = false;
    upstream.on('close', () => (exited = true));
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    // Another session of the server holds 90 KiB while the answer to 2 comes.
    budget.take((heldByOthers = 90 * KIB));
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'dump', arguments: {} } });
    // Only the error is compared: a failure shows no 20 KiB answer.
    expect((await answer(2))?.error).toMatchObject({ code: -32004, message: expect.stringMatching(/^remote server 'big' at https:\/\/big\.example\/sse sent answers larger than 100 KiB together at once/) });
    // The other session's peak passes.
    await waitFor(() => heldByOthers === 0, "the other session's answers to be read");
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'dump', arguments: {} } });
    expect(((await answer(3))?.result as { content: Array<{ text: string }> } | undefined)?.content[0]?.text.length).toBe(20 * KIB);
    expect(exited).toBe(false);
    upstream.kill();
  });
});
