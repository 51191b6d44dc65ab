import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseUpstream } from '../../../main/firewall/http/sse-upstream.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { drive } from './drive-upstream.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const INIT_RESULT = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'busy', version: '1' } };
const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search', arguments: {} } });

/**
 * A Streamable HTTP server that answers the first tools/call with `status` (and `retryAfter`,
 * when given) and every later one with a result; `posts` is what reached it.
 */
function busyServer(status: number, retryAfter?: string) {
  const posts: Array<{ id?: number; method: string }> = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    if (init.method !== 'POST') return new Response(null, { status: 405 });
    const message = JSON.parse(String(init.body)) as { id?: number; method: string };
    posts.push(message);
    if (message.method === 'initialize') return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
    if (message.method !== 'tools/call') return new Response(null, { status: 202 });
    if (posts.filter((m) => m.method === 'tools/call').length === 1) return new Response('slow down', { status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });
    return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { content: [] } }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fakeFetch, posts, calls: () => posts.filter((m) => m.method === 'tools/call').length };
}

async function sessionWith(server: ReturnType<typeof busyServer>) {
  const upstream = createUpstream({ server: 'busy', url: 'https://busy.example/mcp', fetch: server.fakeFetch });
  const driven = drive(upstream);
  driven.send(INITIALIZE);
  await driven.answer(1);
  return { upstream, ...driven };
}

describe('a POST answered 429 or 503 with Retry-After', () => {
  afterEach(() => vi.useRealTimers());

  it('relays the error with the wait asked for, and fails the requests that follow within it at once, without sending them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = busyServer(429, '30');
    const { upstream, send, answer } = await sessionWith(server);
    send(call(2));
    expect(await answer(2)).toMatchObject({ error: { code: -32004, message: "remote server 'busy' answered HTTP 429 and asks to be retried in 30 s (Retry-After): slow down" } });
    vi.setSystemTime(Date.now() + 10_000);
    send(call(3));
    expect(await answer(3)).toMatchObject({ error: { code: -32004, message: "remote server 'busy' answered HTTP 429 and asked for a wait (Retry-After); the firewall sends it none of this session's requests for another 20 s: try again then" } });
    expect(server.calls()).toBe(1);
    // What is no request still goes: held back, it would be lost.
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } });
    // (The clock is faked here, so waitFor's own deadline never comes: the test's time limit stands for it.)
    await waitFor(() => server.posts.at(-1)?.method === 'notifications/cancelled', 'the cancel to be sent');
    expect(server.posts.at(-1)).toMatchObject({ method: 'notifications/cancelled' });
    // Once the wait has passed, requests are sent again.
    vi.setSystemTime(Date.now() + 21_000);
    send(call(4));
    expect(await answer(4)).toMatchObject({ result: { content: [] } });
    expect(server.calls()).toBe(2);
    upstream.kill();
  });

  it('holds requests back for a minute at most, however long the server asks for', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = busyServer(503, '86400');
    const { upstream, send, answer } = await sessionWith(server);
    send(call(2));
    expect(await answer(2)).toMatchObject({ error: { message: expect.stringContaining('answered HTTP 503 and asks to be retried in 86400 s (Retry-After)') } });
    send(call(3));
    expect(await answer(3)).toMatchObject({ error: { message: expect.stringContaining('for another 60 s') } });
    vi.setSystemTime(Date.now() + 61_000);
    send(call(4));
    expect(await answer(4)).toMatchObject({ result: { content: [] } });
    upstream.kill();
  });

  it('holds nothing back when the server asks for no wait', async () => {
    const server = busyServer(429);
    const { upstream, send, answer } = await sessionWith(server);
    send(call(2));
    expect(await answer(2)).toMatchObject({ error: { message: "remote server 'busy' answered HTTP 429: slow down" } });
    send(call(3));
    expect(await answer(3)).toMatchObject({ result: { content: [] } });
    upstream.kill();
  });
});

describe('a legacy SSE server answering a POST 429 with Retry-After', () => {
  it('has the requests that follow within the wait fail at once, unsent', async () => {
    const posted: Array<{ id?: number; method: string }> = [];
    let stream!: ReadableStreamDefaultController<Uint8Array>;
    const send = (message: unknown) => stream.enqueue(new TextEncoder().encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`));
    const fakeFetch = (async (_url: string | URL, init: RequestInit) => {
      if (init.method === 'GET') {
        const body = new ReadableStream<Uint8Array>({ start: (c) => void (stream = c) });
        setImmediate(() => stream.enqueue(new TextEncoder().encode('event: endpoint\ndata: /messages?sessionId=1\n\n')));
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      const message = JSON.parse(String(init.body)) as { id?: number; method: string };
      posted.push(message);
      if (message.method === 'tools/call') return new Response('slow down', { status: 429, headers: { 'retry-after': '30' } });
      if (message.method === 'initialize') setImmediate(() => send({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }));
      return new Response('Accepted', { status: 202 });
    }) as typeof fetch;
    const upstream = createSseUpstream({ server: 'busy', url: 'https://busy.example/sse', fetch: fakeFetch });
    const driven = drive(upstream);
    driven.send(INITIALIZE);
    await driven.answer(1);
    driven.send(call(2));
    expect(await driven.answer(2)).toMatchObject({ error: { message: "remote server 'busy' answered HTTP 429 and asks to be retried in 30 s (Retry-After): slow down" } });
    driven.send(call(3));
    expect(await driven.answer(3)).toMatchObject({ error: { message: expect.stringContaining('for another 30 s') } });
    expect(posted.filter((m) => m.method === 'tools/call')).toHaveLength(1);
    upstream.kill();
  });
});

describe('behind the interposer', () => {
  const closing = closedAfterEach<BareInterposer>();

  it("gives the client the server's 429 as a JSON-RPC error with its wait, and does not pass the client's retry on", async () => {
    let reached = 0;
    const bare = closing(await startBareInterposer('mcpfw-retry-after-', ({ res }) => {
      reached++;
      res.writeHead(429, { 'retry-after': '30', 'content-type': 'text/plain' }).end('rate limited');
    }));
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const init = await fetch(bare.endpoint, { method: 'POST', headers, body: JSON.stringify(INITIALIZE) });
    await init.text();
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const first = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    expect(await first.json()).toMatchObject({ id: 2, error: { code: -32004, message: "remote server 'bare' answered HTTP 429 and asks to be retried in 30 s (Retry-After): rate limited" } });
    const retried = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) });
    expect(await retried.json()).toMatchObject({ id: 3, error: { code: -32004, message: expect.stringMatching(/^remote server 'bare' answered HTTP 429 and asked for a wait \(Retry-After\); the firewall sends it none of this session's requests for another (29|30) s: try again then$/) } });
    expect(reached).toBe(1);
  });
});
