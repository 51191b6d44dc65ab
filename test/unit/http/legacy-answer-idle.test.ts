import { describe, expect, it } from 'vitest';
import { createSseUpstream } from '../../../main/firewall/http/sse-upstream.js';
import { interposeBefore, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { startBareLegacyRemote } from '../../helpers/bare-legacy-remote.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { drive } from './drive-upstream.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const INIT_RESULT = { protocolVersion: '2024-11-05', capabilities: {}, serverInfo: { name: 'slow', version: '1' } };
const READ = { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'file:///report', _meta: { progressToken: 'p2' } } };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A legacy HTTP+SSE server in a fetch function: its stream names the endpoint, it takes every
 * POST (202) and answers initialize on the stream; anything else only when the test says so.
 */
function legacyServer() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const write = (text: string) => {
    try {
      controller.enqueue(new TextEncoder().encode(text));
    } catch {
      // The session ended and its stream with it.
    }
  };
  const send = (message: unknown) => write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  const posted: Array<{ id?: number; method?: string; params?: { requestId?: unknown } }> = [];
  const fakeFetch = (async (_url: string | URL, init: RequestInit) => {
    if (init.method === 'GET') {
      write('event: endpoint\ndata: /messages?sessionId=1\n\n');
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    const message = JSON.parse(String(init.body)) as (typeof posted)[number];
    posted.push(message);
    if (message.method === 'initialize') setImmediate(() => send({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }));
    return new Response('Accepted', { status: 202 });
  }) as typeof fetch;
  return { fakeFetch, send, write, posted };
}

/** A session with the legacy server whose requests may go silent for `postStreamIdleMs` (200 ms unless given). */
async function openSession(server: ReturnType<typeof legacyServer>, postStreamIdleMs = 200) {
  const idle: string[] = [];
  const upstream = createSseUpstream({ server: 'slow', url: 'https://slow.example/sse', fetch: server.fakeFetch, postStreamIdleMs, onStreamIdle: (reason) => idle.push(reason) });
  const driven = drive(upstream);
  driven.send(INITIALIZE);
  expect(await driven.answer(1)).toMatchObject({ result: INIT_RESULT });
  return { upstream, idle, ...driven };
}

describe('a request a legacy SSE server took and never answers', () => {
  it('is answered with an error once nothing about it came for the bound; the server is told to stop, one row is written', async () => {
    const server = legacyServer();
    const { upstream, idle, send, answer } = await openSession(server);
    send(READ);
    expect(await answer(2)).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/^remote server 'slow' at https:\/\/slow\.example\/sse sent no answer to this request on its SSE stream for 200 ms; the firewall stopped waiting for it$/) } });
    expect(idle).toHaveLength(1);
    // The spec's timeout: the sender cancels the request it stopped waiting for.
    const cancelled = () => server.posted.filter((m) => m.method === 'notifications/cancelled').map((m) => m.params?.requestId);
    await waitFor(() => cancelled().length > 0, 'the server to be told to stop');
    expect(cancelled()).toEqual([2]);
    upstream.kill();
  });

  it("is not given up while the server sends progress on it, however long it runs in all", async () => {
    const server = legacyServer();
    // A bound five times the gap between progress messages: a busy box's late timer is not a silence.
    const { upstream, idle, send, answer } = await openSession(server, 500);
    send(READ);
    // 1.6 s in all, three times the bound, but never 500 ms without progress on this request.
    for (let i = 1; i <= 16; i++) {
      await pause(100);
      server.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p2', progress: i } });
    }
    server.send({ jsonrpc: '2.0', id: 2, result: { contents: [] } });
    expect(await answer(2)).toMatchObject({ result: { contents: [] } });
    expect(idle).toEqual([]);
    upstream.kill();
  });

  it("is given up although the stream carries keep-alive pings and other requests' progress: they say the session lives, not that this request is worked on", async () => {
    const server = legacyServer();
    const { upstream, idle, send, answer } = await openSession(server);
    send(READ);
    const pings = setInterval(() => {
      server.write(': ping\n\n');
      server.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'another', progress: 1 } });
    }, 50);
    try {
      expect(await answer(2)).toMatchObject({ error: { message: expect.stringContaining('sent no answer to this request on its SSE stream for 200 ms') } });
    } finally {
      clearInterval(pings);
    }
    expect(idle).toHaveLength(1);
    upstream.kill();
  });

  it('is no longer waited for once the relay cancels it (the client cancelled, or max_runtime_sec ran out): no second answer, no row', async () => {
    const server = legacyServer();
    const { upstream, idle, send, lines } = await openSession(server);
    send(READ);
    await waitFor(() => server.posted.some((m) => m.id === 2), 'the request to reach the server');
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2, reason: 'user' } });
    await pause(400);
    expect(lines.filter((l) => l.id === 2)).toEqual([]);
    expect(idle).toEqual([]);
    upstream.kill();
  });
});

describe('a request whose answer waits behind what the client has not read', () => {
  it('is not given up for the silence: the stream is held back for the client, not quiet', async () => {
    const server = legacyServer();
    const { upstream, idle, send, answer, lines } = await openSession(server);
    send(READ);
    await waitFor(() => server.posted.some((m) => m.id === 2), 'the request to reach the server');
    // The client stops reading; a large log message fills what the relay holds for it, so the
    // firewall stops reading the stream, and the answer (sent in time) waits behind it.
    upstream.stdout.pause();
    server.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(64 * 1024) } });
    server.send({ jsonrpc: '2.0', id: 2, result: { contents: [] } });
    await pause(500);
    upstream.stdout.resume();
    expect(await answer(2)).toMatchObject({ result: { contents: [] } });
    expect(lines.filter((l) => l.id === 2)).toHaveLength(1);
    expect(idle).toEqual([]);
    upstream.kill();
  });
});

describe('behind the interposer', () => {
  const closing = closedAfterEach<BareInterposer>();

  it('answers the client with a JSON-RPC error and writes the answer-idle row a silent Streamable HTTP answer writes', async () => {
    const remote = () => startBareLegacyRemote(() => {
      // Taken (202) and never answered.
    });
    // A request the policy sets no limit for waits defaults.max_runtime_sec (answer-wait.ts): made shorter than the bound.
    const bare = closing(await interposeBefore('mcpfw-legacy-idle-', remote, 'sse', { interposer: { postStreamIdleMs: 200 }, policy: 'version: v1\ndefaults:\n  max_runtime_sec: 0.1\nrules: []\n' }));
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const init = await fetch(bare.endpoint, { method: 'POST', headers, body: JSON.stringify(INITIALIZE) });
    expect(await init.json()).toMatchObject({ id: 1, result: { serverInfo: { name: 'bare-legacy' } } });
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const pinged = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    expect(await pinged.json()).toMatchObject({ id: 2, error: { code: -32004, message: expect.stringMatching(/^remote server 'bare' at http:\/\/127\.0\.0\.1:\d+\/sse sent no answer to this request on its SSE stream for 200 ms; the firewall stopped waiting for it$/) } });
    const rows = bare.running.engine.db.prepare("SELECT event, decision, server_name, reason FROM mcp_audit WHERE rule_id = 'answer-idle'").all();
    expect(rows).toEqual([expect.objectContaining({ event: 'protocol', decision: 'ERROR', server_name: 'bare', reason: expect.stringContaining('sent no answer to this request on its SSE stream') })]);
  });
});
