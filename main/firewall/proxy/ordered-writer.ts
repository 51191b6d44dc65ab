import type { PeerWriter } from './peer-writer.js';

/** How many messages may wait behind a held one before the server is asked to pause. */
const MAX_WAITING = 1024;

/**
 * A PeerWriter that keeps the order messages were produced in when one of them waits on
 * the engine (an initialize or a tool list the pins check): what the server sent after it
 * waits too, instead of overtaking it. Without a held message it is the writer itself.
 */
export interface OrderedWriter extends PeerWriter {
  /** Reserves the next place in line for a message decided later: `fill` it with the line, or null for none. */
  reserve(): (line: Buffer | string | null) => void;
}

export function createOrderedWriter(inner: PeerWriter): OrderedWriter {
  const queue: Array<{ line: Buffer | string | null; ready: boolean }> = [];
  const drainListeners: Array<() => void> = [];
  let pressed = false;

  const release = () => {
    while (queue.length > 0 && queue[0]!.ready) {
      const { line } = queue.shift()!;
      if (line !== null) inner.send(line);
    }
    // The stream itself may never have been full: the pause we asked for is ours to lift.
    if (pressed && queue.length === 0) {
      pressed = false;
      for (const listener of drainListeners) listener();
    }
  };

  return {
    get open() {
      return inner.open;
    },
    send(line) {
      if (queue.length === 0) return inner.send(line);
      queue.push({ line, ready: true });
      if (queue.length > MAX_WAITING) pressed = true;
      return !pressed;
    },
    reserve() {
      const slot: { line: Buffer | string | null; ready: boolean } = { line: null, ready: false };
      queue.push(slot);
      return (line) => {
        if (slot.ready) return;
        slot.line = line;
        slot.ready = true;
        release();
      };
    },
    onDrain(listener) {
      drainListeners.push(listener);
      inner.onDrain(listener);
    },
    batchThisTick: () => inner.batchThisTick(),
    end() {
      // Ending (the client is gone, or the server): what is ready leaves; a held answer has no one to reach.
      for (const { line, ready } of queue.splice(0)) if (ready && line !== null) inner.send(line);
      inner.end();
    },
  };
}

/**
 * A place in line for an answer the engine must decide first. An engine that does not
 * answer must not hold up the whole session behind it: past `timeoutMs` the place is filled
 * with `onTimeout()` (a refusal: fail closed) and the rest goes on; a late fill is ignored.
 * Only the held path pays for the timer and closures: `send` stays as it is.
 */
export function reserveWithin(writer: OrderedWriter, timeoutMs: number, onTimeout: () => string): (line: Buffer | string) => void {
  const fill = writer.reserve();
  const timer = setTimeout(() => fill(onTimeout()), timeoutMs);
  timer.unref();
  return (line) => {
    clearTimeout(timer);
    fill(line);
  };
}
