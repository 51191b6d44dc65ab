import type { Writable } from 'node:stream';

const NEWLINE = Buffer.from('\n');
const SMALL_MESSAGE = 64 * 1024;

/** Writes newline-delimited messages to one side of the relay and reports backpressure. */
export interface PeerWriter {
  /** Returns false when the peer is not keeping up; wait for `onDrain` before sending more bulk. */
  send(line: Buffer | string): boolean;
  onDrain(listener: () => void): void;
  /**
   * Holds writes until the end of this tick, then sends them in one system call: messages
   * that arrived in one chunk (a pipelining client, a chatty server) leave the same way.
   */
  batchThisTick(): void;
  readonly open: boolean;
  end(): void;
}

export function createPeerWriter(stream: Writable): PeerWriter {
  let open = true;
  let batching = false;
  stream.on('error', () => {
    open = false;
  });
  stream.on('close', () => {
    open = false;
  });
  return {
    get open() {
      return open && !stream.destroyed && !stream.writableEnded;
    },
    send(line) {
      if (!open || stream.destroyed || stream.writableEnded) return true;
      if (typeof line === 'string') return stream.write(`${line}\n`);
      // Small messages: one copy and one write() beats a corked writev. Large ones: two
      // writes under cork, so a multi-MB message is not copied just to append a newline.
      if (line.length < SMALL_MESSAGE) return stream.write(Buffer.concat([line, NEWLINE], line.length + 1));
      stream.cork();
      stream.write(line);
      const ok = stream.write(NEWLINE);
      process.nextTick(() => stream.uncork());
      return ok;
    },
    onDrain(listener) {
      stream.on('drain', listener);
    },
    batchThisTick() {
      if (batching || !open || stream.destroyed || stream.writableEnded) return;
      batching = true;
      stream.cork();
      process.nextTick(() => {
        batching = false;
        stream.uncork();
      });
    },
    end() {
      if (open && !stream.writableEnded) stream.end();
    },
  };
}
