import type { Writable } from 'node:stream';

const NEWLINE = Buffer.from('\n');
const SMALL_MESSAGE = 64 * 1024;

/** Writes newline-delimited messages to one side of the relay and reports backpressure. */
export interface PeerWriter {
  /** Returns false when the peer is not keeping up; wait for `onDrain` before sending more bulk. */
  send(line: Buffer | string): boolean;
  onDrain(listener: () => void): void;
  /**
   * Gathers the messages sent in the rest of this tick into one buffer and one write():
   * messages that arrived in one chunk (a pipelining client, a chatty server) leave the
   * same way, and each costs a copy instead of a pass through Node's stream machinery.
   */
  batchThisTick(): void;
  readonly open: boolean;
  end(): void;
}

export function createPeerWriter(stream: Writable): PeerWriter {
  let open = true;
  let batching = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  stream.on('error', () => {
    open = false;
  });
  stream.on('close', () => {
    open = false;
  });
  const writable = () => open && !stream.destroyed && !stream.writableEnded;

  const flush = () => {
    if (pending.length === 0) return;
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (writable()) stream.write(all);
  };

  const writeNow = (line: Buffer): boolean => {
    // Small messages: one copy and one write() beats a corked writev. Large ones: two
    // writes under cork, so a multi-MB message is not copied just to append a newline.
    if (line.length < SMALL_MESSAGE) return stream.write(Buffer.concat([line, NEWLINE], line.length + 1));
    stream.cork();
    stream.write(line);
    const ok = stream.write(NEWLINE);
    process.nextTick(() => stream.uncork());
    return ok;
  };

  return {
    get open() {
      return writable();
    },
    send(message) {
      if (!writable()) return true;
      const line = typeof message === 'string' ? Buffer.from(message) : message;
      if (!batching || line.length >= SMALL_MESSAGE) {
        flush(); // keeps the order: what was gathered leaves first
        return writeNow(line);
      }
      pending.push(line, NEWLINE);
      pendingBytes += line.length + 1;
      // The gathered bytes are bounded by one input chunk; the stream's own state says
      // whether the peer is keeping up with what was written before.
      return !stream.writableNeedDrain;
    },
    onDrain(listener) {
      stream.on('drain', listener);
    },
    batchThisTick() {
      if (batching || !writable()) return;
      batching = true;
      process.nextTick(() => {
        batching = false;
        flush();
      });
    },
    end() {
      flush();
      if (open && !stream.writableEnded) stream.end();
    },
  };
}
