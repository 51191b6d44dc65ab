import { describe, expect, it } from 'vitest';
import { createSseUpstream } from '../../../main/firewall/http/sse-upstream.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import type { UpstreamProcess } from '../../../main/firewall/http/upstream-parts.js';
import { waitFor } from '../../helpers/engine-harness.js';

const EVENTS = 300;
const SIZE = 64 * 1024; // ~19 MB in all

/** An SSE body that makes each event only when read, counting how many were read. */
function countedEventStream(prefix: string, events: (i: number) => string) {
  const stats = { pulled: 0 };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled === EVENTS) return controller.close();
      controller.enqueue(encoder.encode(events(stats.pulled++)));
    },
  });
  return { stats, response: () => new Response(prefix ? withPrefix(prefix, body) : body, { headers: { 'content-type': 'text/event-stream', 'mcp-session-id': 's' } }) };
}

function withPrefix(prefix: string, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sent) {
        sent = true;
        return controller.enqueue(new TextEncoder().encode(prefix));
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

const notification = (i: number) => `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: `${i}:${'y'.repeat(SIZE)}` } })}\n\n`;
/** Once the adapter has begun reading, time for it to read far more than a pipe's worth, were it not held back. */
const startedAndSettled = async (stats: { pulled: number }) => {
  await waitFor(() => stats.pulled > 0, 'the adapter to read the stream', 20_000);
  await new Promise((r) => setTimeout(r, 100));
};

/** Reads the adapter's stdout to the n-th line and checks every notification arrived whole and in order. */
async function readAll(upstream: UpstreamProcess, count: number): Promise<number> {
  let buffered = '';
  let seen = 0;
  for await (const chunk of upstream.stdout) {
    buffered += (chunk as Buffer).toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const message = JSON.parse(buffered.slice(0, newline)) as { params?: { data: string } };
      buffered = buffered.slice(newline + 1);
      if (message.params?.data !== `${seen}:${'y'.repeat(SIZE)}`) throw new Error(`message ${seen} arrived damaged or out of order`);
      if (++seen === count) return seen;
    }
  }
  return seen;
}

describe('the upstream adapters read a remote stream only as fast as the relay takes it', () => {
  it('Streamable HTTP: stops reading a POST answer while its stdout is full, then relays every event intact', async () => {
    const stream = countedEventStream('', notification);
    const upstream = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: (async () => stream.response()) as typeof fetch });
    upstream.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'flood', arguments: {} } })}\n`);
    await startedAndSettled(stream.stats);
    // Nobody reads stdout: the adapter took a few events (the pipe's buffer), not all of them.
    expect(stream.stats.pulled).toBeGreaterThan(0);
    expect(stream.stats.pulled).toBeLessThan(EVENTS / 10);
    expect(await readAll(upstream, EVENTS)).toBe(EVENTS);
    expect(stream.stats.pulled).toBe(EVENTS);
    upstream.kill();
  });

  it('legacy SSE: stops reading the server stream while its stdout is full, then relays every event intact', async () => {
    const stream = countedEventStream('event: endpoint\ndata: /messages?sessionId=1\n\n', notification);
    const fakeFetch = (async (_url: string | URL, init: RequestInit) => (init.method === 'GET' ? stream.response() : new Response(null, { status: 202 }))) as typeof fetch;
    const upstream = createSseUpstream({ server: 'big', url: 'https://big.example/sse', fetch: fakeFetch });
    await startedAndSettled(stream.stats);
    expect(stream.stats.pulled).toBeGreaterThan(0);
    expect(stream.stats.pulled).toBeLessThan(EVENTS / 10);
    expect(await readAll(upstream, EVENTS)).toBe(EVENTS);
    upstream.kill();
  });

  it('legacy SSE: holds the relay back while POSTs wait on a slow server, instead of queueing every message', async () => {
    const releases: Array<() => void> = [];
    const posted: number[] = [];
    const fakeFetch = (async (_url: string | URL, init: RequestInit) => {
      if (init.method === 'GET') return new Response(new TextEncoder().encode('event: endpoint\ndata: /messages?sessionId=1\n\n'), { headers: { 'content-type': 'text/event-stream' } });
      await new Promise<void>((resolve) => releases.push(resolve));
      posted.push((JSON.parse(String(init.body)) as { id: number }).id);
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const upstream = createSseUpstream({ server: 'slow', url: 'https://slow.example/sse', fetch: fakeFetch });
    upstream.stdout.resume();
    const message = (id: number) => `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'save', arguments: { text: 'z'.repeat(8 * 1024) } } })}\n`;
    // ~160 KB of messages while the server has answered none of them.
    const accepted = Array.from({ length: 20 }, (_, i) => upstream.stdin.write(message(i)));
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted.at(-1)).toBe(false);
    let drained = false;
    upstream.stdin.once('drain', () => (drained = true));
    // The server catches up: the relay may write again (a pipe's worth may still wait), and all go out in order.
    await waitFor(() => {
      releases.splice(0).forEach((release) => release());
      return posted.length >= 20;
    }, 'every message to be posted', 20_000);
    expect(drained).toBe(true);
    expect(posted).toEqual(Array.from({ length: 20 }, (_, i) => i));
    upstream.kill();
  });
});
