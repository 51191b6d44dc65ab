import type { EventEmitter } from 'node:events';

/**
 * A stream as far as backpressure goes: a node Writable and an http.ServerResponse both
 * are one (the response has no Writable type, but the same flag and events).
 */
interface Drainable extends Pick<EventEmitter, 'once' | 'off'> {
  readonly writableNeedDrain: boolean;
}

/** What a writer waits for before writing more; undefined when the stream has room. */
export type Backpressure = Promise<void> | undefined;

// One wait per stream, however many writers ask: a listener each would trip Node's leak
// warning when a chunk of many lines meets one full stream.
const waits = new WeakMap<Drainable, Promise<void>>();

/**
 * Settles once `stream` takes more: on 'drain', or on 'close' (a closed stream never
 * drains, and a writer waiting for it would hold its whole session), or when `signal`
 * aborts (the stream's owner stopped; its waiters share one wait, so pass the owner's
 * signal). Undefined when there is nothing to wait for: the usual path costs no await.
 */
export function untilDrained(stream: Drainable, signal?: AbortSignal): Backpressure {
  if (!stream.writableNeedDrain || signal?.aborted) return undefined;
  const pending = waits.get(stream);
  if (pending) return pending;
  const wait = new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      signal?.removeEventListener('abort', done);
      waits.delete(stream);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    signal?.addEventListener('abort', done, { once: true });
  });
  waits.set(stream, wait);
  return wait;
}
