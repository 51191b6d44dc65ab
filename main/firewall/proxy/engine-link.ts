import { connect, type Socket } from 'node:net';
import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo, EngineMessage, ShimMessage, Snapshot } from '../ipc/protocol.js';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';

type Verdict = Extract<EngineMessage, { t: 'verdict' }>;
export type Admission = { admitted: true; snapshot: Snapshot; env: Record<string, string> } | { admitted: false; reason: string; hint: string };

/** The shim's side of the engine socket. Every method rejects once the engine is gone. */
export interface EngineLink {
  hello(message: Omit<Extract<ShimMessage, { t: 'hello' }>, 't'>): Promise<Admission>;
  decide(call: CallInfo, ruleId: string | null, reason: string, onProgress: (message: string) => void): { verdict: Promise<Verdict>; cancel(): void };
  /** Resolves once the engine has committed the row. */
  record(entry: AuditEntry): Promise<void>;
  /** Fire and forget, for rows nothing waits on; sent in small batches to spare the engine a wake-up per row. */
  event(entry: AuditEntry): void;
  /** Which tools of a tools/list to hide, and why. */
  manifest(tools: unknown[]): Promise<Record<string, string>>;
  onUnblocked(listener: (tools: string[]) => void): void;
  /** Stores a withheld result encrypted in the engine; resolves to its quarantine id. */
  quarantine(entry: Omit<Extract<ShimMessage, { t: 'quarantine' }>, 't' | 'rid'>): Promise<string>;
  delivered(id: string): void;
  onReleased(listener: (released: Extract<EngineMessage, { t: 'released' }>) => void): void;
  onSnapshot(listener: (snapshot: Snapshot) => void): void;
  onRevoked(listener: (reason: string, hint: string) => void): void;
  readonly closed: boolean;
  close(): void;
}

interface Waiter {
  resolve: (message: EngineMessage) => void;
  reject: (error: Error) => void;
  onProgress?: (message: string) => void;
}

const EVENT_BATCH = 32;
const EVENT_DELAY_MS = 10;

export const ENGINE_GONE = 'the MCP Firewall engine is not running';

export function connectEngine(socketPath: string, timeoutMs = 2_000): Promise<EngineLink> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out connecting to ${socketPath}`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(createEngineLink(socket));
    });
  });
}

function createEngineLink(socket: Socket): EngineLink {
  socket.setNoDelay(true);
  const waiters = new Map<number, Waiter>();
  let helloWaiter: Waiter | null = null;
  let nextRid = 1;
  let closed = false;
  let snapshotListener: (snapshot: Snapshot) => void = () => {};
  let revokedListener: (reason: string, hint: string) => void = () => {};
  let unblockedListener: (tools: string[]) => void = () => {};
  let releasedListener: (released: Extract<EngineMessage, { t: 'released' }>) => void = () => {};
  let admitted = false;

  const fail = () => {
    if (closed) return;
    closed = true;
    const error = new Error(ENGINE_GONE);
    helloWaiter?.reject(error);
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  socket.on('error', fail);
  socket.on('close', fail);

  const splitter = createLineSplitter((line) => {
    const message = JSON.parse(line.toString('utf8')) as EngineMessage;
    switch (message.t) {
      case 'welcome':
      case 'refused':
        if (helloWaiter) {
          helloWaiter.resolve(message);
          helloWaiter = null;
        } else if (message.t === 'refused' && admitted) {
          revokedListener(message.reason, message.hint);
        }
        return;
      case 'snapshot':
        snapshotListener(message.snapshot);
        return;
      case 'progress':
        waiters.get(message.rid)?.onProgress?.(message.message);
        return;
      case 'unblocked':
        unblockedListener(message.tools);
        return;
      case 'released':
        releasedListener(message);
        return;
      case 'verdict':
      case 'manifestVerdict':
      case 'held':
      case 'ack':
      case 'nack': {
        const waiter = waiters.get(message.rid);
        waiters.delete(message.rid);
        waiter?.resolve(message);
        return;
      }
    }
  });
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));

  let events: AuditEntry[] = [];
  let eventTimer: NodeJS.Timeout | null = null;
  const flushEvents = () => {
    if (eventTimer) clearTimeout(eventTimer);
    eventTimer = null;
    if (events.length === 0 || closed) return;
    const batch = events;
    events = [];
    socket.write(`${JSON.stringify({ t: 'events', entries: batch } satisfies ShimMessage)}\n`);
  };
  const send = (message: ShimMessage) => {
    if (closed) throw new Error(ENGINE_GONE);
    socket.write(`${JSON.stringify(message)}\n`);
  };
  const ask = (build: (rid: number) => ShimMessage, onProgress?: (m: string) => void) => {
    const rid = nextRid++;
    const promise = new Promise<EngineMessage>((resolve, reject) => {
      if (closed) return reject(new Error(ENGINE_GONE));
      waiters.set(rid, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      send(build(rid));
    });
    return { rid, promise };
  };

  return {
    get closed() {
      return closed;
    },
    hello(message) {
      return new Promise<EngineMessage>((resolve, reject) => {
        helloWaiter = { resolve, reject };
        send({ t: 'hello', ...message });
      }).then((reply) => {
        if (reply.t === 'welcome') {
          admitted = true;
          return { admitted: true, snapshot: reply.snapshot, env: reply.env };
        }
        if (reply.t === 'refused') return { admitted: false, reason: reply.reason, hint: reply.hint };
        throw new Error(`unexpected engine reply ${reply.t}`);
      });
    },
    decide(call, ruleId, reason, onProgress) {
      const { rid, promise } = ask((r) => ({ t: 'decide', rid: r, call, ruleId, reason }), onProgress);
      return {
        verdict: promise.then((reply) => {
          if (reply.t !== 'verdict') throw new Error(`unexpected engine reply ${reply.t}`);
          return reply;
        }),
        cancel: () => {
          if (!closed) send({ t: 'cancel', rid });
        },
      };
    },
    record(entry) {
      return ask((rid) => ({ t: 'record', rid, entry })).promise.then((reply) => {
        if (reply.t === 'nack') throw new Error(`audit write failed: ${reply.error}`);
      });
    },
    manifest(tools) {
      return ask((rid) => ({ t: 'manifest', rid, tools })).promise.then((reply) => {
        if (reply.t !== 'manifestVerdict') throw new Error(`unexpected engine reply ${reply.t}`);
        return reply.blocked;
      });
    },
    onUnblocked(listener) {
      unblockedListener = listener;
    },
    quarantine(entry) {
      return ask((rid) => ({ t: 'quarantine', rid, ...entry })).promise.then((reply) => {
        if (reply.t === 'held') return reply.id;
        throw new Error(reply.t === 'nack' ? reply.error : `unexpected engine reply ${reply.t}`);
      });
    },
    delivered(id) {
      if (!closed) send({ t: 'delivered', id });
    },
    onReleased(listener) {
      releasedListener = listener;
    },
    event(entry) {
      if (closed) return;
      events.push({ ...entry, eventTime: entry.eventTime ?? new Date().toISOString() });
      if (events.length >= EVENT_BATCH) flushEvents();
      else if (!eventTimer) eventTimer = setTimeout(flushEvents, EVENT_DELAY_MS);
    },
    onSnapshot(listener) {
      snapshotListener = listener;
    },
    onRevoked(listener) {
      revokedListener = listener;
    },
    close() {
      flushEvents();
      closed = true;
      socket.end();
    },
  };
}
