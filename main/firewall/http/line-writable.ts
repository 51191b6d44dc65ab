import { Writable } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import type { Backpressure } from './backpressure.js';

/**
 * A Writable that hands each newline-delimited line to `onLine`, as a pipe to a process
 * would. A line whose destination is full returns what to wait for, and the write is
 * acknowledged only once that settles: the relay, which waits for 'drain' like any stdio
 * writer, then stops reading its source. A line with room costs no await. EOF calls `onEnd`.
 */
export function lineWritable(onLine: (line: string) => Backpressure, onEnd?: () => void): Writable {
  // A Set: many lines to one full stream share its one wait.
  let waits = new Set<Promise<void>>();
  const splitter = createLineSplitter((line) => {
    const wait = onLine(line.toString('utf8'));
    if (wait) waits.add(wait);
  });
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      if (waits.size === 0) return callback();
      const pending = waits;
      waits = new Set();
      const done = () => callback();
      void Promise.all(pending).then(done, done);
    },
    final(callback) {
      onEnd?.();
      callback();
    },
  });
}
