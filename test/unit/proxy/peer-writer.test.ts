import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPeerWriter } from '../../../main/firewall/proxy/peer-writer.js';

function recorder() {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      done();
    },
  });
  return { stream, writes, text: () => Buffer.concat(writes).toString() };
}

const tick = () => new Promise((resolve) => process.nextTick(resolve));

describe('peer writer', () => {
  it("gathers one tick's messages into a single write, in order", async () => {
    const { stream, writes, text } = recorder();
    const writer = createPeerWriter(stream);
    writer.batchThisTick();
    writer.send(Buffer.from('{"id":1}'));
    writer.send('{"id":2}');
    writer.send(Buffer.from('{"id":3}'));
    expect(writes).toHaveLength(0);
    await tick();
    await tick();
    expect(writes).toHaveLength(1);
    expect(text()).toBe('{"id":1}\n{"id":2}\n{"id":3}\n');
  });

  it('keeps the order when a large message interrupts a batch', async () => {
    const { stream, text } = recorder();
    const writer = createPeerWriter(stream);
    const large = `{"big":"${'x'.repeat(70 * 1024)}"}`;
    writer.batchThisTick();
    writer.send('{"id":1}');
    writer.send(Buffer.from(large));
    writer.send('{"id":2}');
    await tick();
    await tick();
    expect(text()).toBe(`{"id":1}\n${large}\n{"id":2}\n`);
  });

  it('writes at once outside a batch, and flushes what is gathered before ending', async () => {
    const { stream, writes, text } = recorder();
    const writer = createPeerWriter(stream);
    writer.send('{"id":1}');
    expect(writes).toHaveLength(1);
    writer.batchThisTick();
    writer.send('{"id":2}');
    writer.end();
    await new Promise((resolve) => stream.once('finish', resolve));
    expect(text()).toBe('{"id":1}\n{"id":2}\n');
  });
});
