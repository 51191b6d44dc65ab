import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { untilDrained } from '../../../main/firewall/http/backpressure.js';
import type { ClientSession } from '../../../main/firewall/http/client-session.js';
import { lineWritable } from '../../../main/firewall/http/line-writable.js';
import { readPost } from '../../../main/firewall/http/read-messages.js';

/** A destination that takes nothing until told to: the client that does not read. */
function stalledPeer() {
  const held: Array<() => void> = [];
  const received: string[] = [];
  const peer = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      held.push(callback);
    },
  });
  return { peer, received, release: () => held.splice(0).forEach((callback) => callback()) };
}

const ticks = () => new Promise((r) => setTimeout(r, 20));

describe('backpressure between the relay and an HTTP peer', () => {
  it("holds a write's callback while the line's destination is full, and gives it once that drains", async () => {
    const { peer, received, release } = stalledPeer();
    const relayOutput = lineWritable((line) => (peer.write(line) ? undefined : untilDrained(peer)));
    let acknowledged = 0;
    relayOutput.write('a line longer than the peer buffer\n', () => acknowledged++);
    await ticks();
    expect(received).toEqual(['a line longer than the peer buffer']);
    expect(acknowledged).toBe(0);
    release();
    await ticks();
    expect(acknowledged).toBe(1);
  });

  it('makes the relay see the stall: after a buffer of held writes, write() returns false until drain', async () => {
    const { peer, release } = stalledPeer();
    const relayOutput = lineWritable((line) => (peer.write(line) ? undefined : untilDrained(peer)));
    // More than the output's own buffer (64 KB): the first write is held, the rest queue behind it.
    const results = Array.from({ length: 1_000 }, (_, i) => relayOutput.write(`message ${i} ${'x'.repeat(100)}\n`));
    expect(results.at(-1)).toBe(false);
    let drained = false;
    relayOutput.once('drain', () => (drained = true));
    await ticks();
    expect(drained).toBe(false);
    for (let i = 0; i < 2_000 && !drained; i++) {
      release();
      await new Promise((r) => setImmediate(r));
    }
    expect(drained).toBe(true);
  });

  it('acknowledges at once, with no wait, while the destination has room', () => {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const relayOutput = lineWritable((line) => (sink.write(line) ? undefined : untilDrained(sink)));
    let acknowledged = false;
    relayOutput.write('small\n', () => (acknowledged = true));
    // Synchronously written and acknowledged on the next tick: no promise in between.
    return new Promise<void>((resolve) =>
      process.nextTick(() => {
        expect(acknowledged).toBe(true);
        resolve();
      }),
    );
  });

  it('releases the wait when the destination closes instead of draining (a client that hung up)', async () => {
    const { peer } = stalledPeer();
    const relayOutput = lineWritable((line) => (peer.write(line) ? undefined : untilDrained(peer)));
    let acknowledged = false;
    relayOutput.write('a line longer than the peer buffer\n', () => (acknowledged = true));
    await ticks();
    expect(acknowledged).toBe(false);
    peer.destroy();
    await ticks();
    expect(acknowledged).toBe(true);
  });

  it('shares one wait per full stream, and lets its owner end it with an abort', async () => {
    const { peer } = stalledPeer();
    peer.write('more than sixteen bytes');
    const stop = new AbortController();
    const waits = Array.from({ length: 50 }, () => untilDrained(peer, stop.signal));
    expect(new Set(waits).size).toBe(1);
    expect(peer.listenerCount('drain')).toBe(1);
    stop.abort();
    await waits[0];
    expect(peer.listenerCount('drain')).toBe(0);
    expect(untilDrained(new Writable({ write: (_c, _e, callback) => callback() }))).toBeUndefined();
  });

  it("leaves a client's POST body unread while its session's relay is behind", async () => {
    let catchUp!: () => void;
    const session = { whenAccepting: () => new Promise<void>((resolve) => (catchUp = resolve)) } as unknown as ClientSession;
    const message = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'save', arguments: {} } };
    const req = Object.assign(new PassThrough(), { headers: { 'content-type': 'application/json' } });
    req.end(JSON.stringify(message));
    const read = readPost(req as unknown as IncomingMessage, {} as ServerResponse, session);
    await ticks();
    expect(req.readableLength).toBeGreaterThan(0);
    catchUp();
    expect(await read).toEqual({ messages: [message], batch: false, line: JSON.stringify(message) });
  });
});
