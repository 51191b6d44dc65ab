import { closeSync, openSync, writeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo, EngineMessage, ShimMessage, Snapshot } from '../ipc/protocol.js';
import type { ManifestKind } from '../pins/manifest-keys.js';
import type { ListedFrom } from '../pins/first-sight-listings.js';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { isoFromEpochMs } from '../jsonrpc/iso-time.js';

type Verdict = Extract<EngineMessage, { t: 'verdict' }>;
export type Admission = { admitted: true; snapshot: Snapshot; env: Record<string, string> } | { admitted: false; reason: string; hint: string };

/** The shim's side of the engine socket. Every method rejects once the engine is gone. */
export interface EngineLink {
  hello(message: Omit<Extract<ShimMessage, { t: 'hello' }>, 't'>): Promise<Admission>;
  decide(call: CallInfo, ruleId: string | null, reason: string, onProgress: (message: string) => void): { verdict: Promise<Verdict>; cancel(): void };
  /**
   * Queues a decision row for the spool; all rows queued in one tick go out in one
   * synchronous write at the end of it — before any answer to those calls can leave,
   * since answers come from later I/O. `onFailure` hears if that write fails.
   */
  record(entry: AuditEntry, onFailure: (error: Error) => void): void;
  /** Writes queued rows now (before an answer that leaves in this same tick); throws if it cannot. */
  flush(): void;
  /** For rows nothing waits on: written with the next row, or within 20 ms. */
  event(entry: AuditEntry): void;
  /** Which items of a pinned kind to hide, and why (keys as in pins/manifest-keys.ts). */
  manifest(kind: ManifestKind, items: unknown[], listed?: ListedFrom): Promise<Record<string, string>>;
  onUnblocked(listener: (tools: string[]) => void): void;
  /** Stores a withheld result encrypted in the engine; resolves to its quarantine id. */
  quarantine(entry: Omit<Extract<ShimMessage, { t: 'quarantine' }>, 't' | 'rid'>): Promise<string>;
  delivered(id: string): void;
  onReleased(listener: (released: Extract<EngineMessage, { t: 'released' }>) => void): void;
  /** A released result another session delivered (so this one must not). */
  onReleaseTaken(listener: (id: string) => void): void;
  /** Passes fingerprints of an untrusted result to the client's other shims (through the engine). */
  shareTaint(tool: string, hashes: Uint32Array): void;
  /** Fingerprints another shim of the same client shared. */
  onTaint(listener: (source: string, hashes: Uint32Array) => void): void;
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

export const ENGINE_GONE = 'the MCP Firewall engine is not running';

/** How often a shim whose engine went away tries to reach it again. */
const RECONNECT_MS = 1_000;

function openSocket(socketPath: string, timeoutMs: number): Promise<Socket> {
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
      resolve(socket);
    });
  });
}

/**
 * How long a shim waits for the engine to answer its hello. Generous: on a Mac the answer can
 * wait for a person to allow the keychain (a server's secrets are read for its launch). An
 * engine that accepts and never answers (stopped, wedged) would otherwise hold the client's
 * server start for good.
 */
export const HELLO_TIMEOUT_MS = 120_000;

export class EngineSilent extends Error {}

export async function connectEngine(socketPath: string, timeoutMs = 2_000, helloTimeoutMs = HELLO_TIMEOUT_MS): Promise<EngineLink> {
  return createEngineLink(await openSocket(socketPath, timeoutMs), socketPath, helloTimeoutMs);
}

/**
 * The link, across engine restarts: once admitted, a link whose engine goes away (an app
 * update, a crash, `serve` restarted) is `closed` — every call is refused meanwhile — and
 * tries the socket again every second; when the engine is back it says hello for the same
 * session, and calls flow again without the client restarting its server.
 */
function createEngineLink(first: Socket, socketPath: string, helloTimeoutMs: number): EngineLink {
  let socket = first;
  const waiters = new Map<number, Waiter>();
  let helloWaiter: Waiter | null = null;
  let nextRid = 1;
  let closed = false;
  let snapshotListener: (snapshot: Snapshot) => void = () => {};
  let revokedListener: (reason: string, hint: string) => void = () => {};
  let unblockedListener: (tools: string[]) => void = () => {};
  let releasedListener: (released: Extract<EngineMessage, { t: 'released' }>) => void = () => {};
  let taintListener: (source: string, hashes: Uint32Array) => void = () => {};
  let releaseTakenListener: (id: string) => void = () => {};
  let admitted = false;
  let helloSent: Omit<Extract<ShimMessage, { t: 'hello' }>, 't'> | null = null;
  // close() was called: the shim is ending, so nothing reconnects.
  let ended = false;
  let retry: NodeJS.Timeout | null = null;

  // The socket whose loss was handled: a reconnecting socket can die before its welcome,
  // while the link is still closed from the loss before.
  let lost: Socket | null = null;
  const fail = (from: Socket) => {
    if (from !== socket || lost === from) return;
    lost = from;
    closed = true;
    const error = new Error(ENGINE_GONE);
    helloWaiter?.reject(error);
    helloWaiter = null;
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
    if (admitted && !ended) scheduleReconnect();
  };

  const scheduleReconnect = () => {
    retry = setTimeout(() => void reconnect(), RECONNECT_MS);
    retry.unref();
  };
  const reconnect = async () => {
    retry = null;
    let next: Socket;
    try {
      next = await openSocket(socketPath, 2_000);
    } catch {
      if (!ended) scheduleReconnect();
      return;
    }
    if (ended) return void next.destroy();
    attach(next);
    // An engine that takes the socket and never answers: given up on like a first hello, and
    // the socket dropped, so fail() schedules the next try rather than the link staying closed.
    awaitHello(() => next.write(`${JSON.stringify({ t: 'hello', ...helloSent!, resumed: true })}\n`), () => next.destroy()).then(
      (reply) => {
        // The shim ended while this hello waited: nothing is reopened on a closed link.
        if (ended) return void next.destroy();
        if (reply.t === 'welcome') {
          let fd: number;
          try {
            fd = openSync(reply.spool, 'a', 0o600);
          } catch {
            // No spool, no audit: not back yet (fail() schedules the next try).
            return void next.destroy();
          }
          if (spoolFd !== null) closeSync(spoolFd);
          spoolFd = fd;
          closed = false;
          snapshotListener(reply.snapshot);
        } else if (reply.t === 'refused') {
          // Disabled or drifted while the engine was away: the same as a revocation now.
          revokedListener(reply.reason, reply.hint);
        }
      },
      () => {
        // gone again before it answered, or silent (its socket destroyed): fail() has scheduled the next try
      },
    );
  };

  /** Sends a hello (`write`) and waits for its answer, for at most `helloTimeoutMs`; `onSilent` runs when that passes. */
  const awaitHello = (write: () => void, onSilent: () => void = () => {}) =>
    new Promise<EngineMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        helloWaiter = null;
        reject(new EngineSilent(`the MCP Firewall engine took the connection but did not answer within ${helloTimeoutMs / 1000} s`));
        onSilent();
      }, helloTimeoutMs);
      // The socket keeps the shim alive while it waits; this timer alone must not (after close()).
      timer.unref();
      const settle = <T>(then: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        then(value);
      };
      helloWaiter = { resolve: settle(resolve), reject: settle(reject) };
      try {
        write();
      } catch (error) {
        helloWaiter = null;
        settle(reject)(error as Error);
      }
    });

  const onEngineLine = (line: Buffer) => {
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
      case 'releaseTaken':
        releaseTakenListener(message.id);
        return;
      case 'taint': {
        const hashes = hashesFromBase64(message.hashes);
        if (hashes) taintListener(message.source, hashes);
        return;
      }
      case 'verdict':
      case 'manifestVerdict':
      case 'held':
      case 'nack': {
        const waiter = waiters.get(message.rid);
        waiters.delete(message.rid);
        waiter?.resolve(message);
        return;
      }
    }
  };
  // Each socket its own splitter: a line cut off by a dead engine must not prefix the next one's.
  const attach = (next: Socket) => {
    socket = next;
    next.setNoDelay(true);
    const splitter = createLineSplitter(onEngineLine);
    next.on('data', (chunk: Buffer) => splitter.push(chunk));
    next.on('error', () => fail(next));
    next.on('close', () => fail(next));
  };
  attach(first);

  // The session's audit spool (ipc/spool.ts), opened once the engine admits us. Rows a
  // decision depends on are written at once; the others (results) ride along with the next
  // write or a short timer, saving a system call per tools/call.
  let spoolFd: number | null = null;
  let deferred = '';
  let deferTimer: NodeJS.Timeout | null = null;
  let decisions = '';
  let failureHandlers: Array<(error: Error) => void> = [];
  let flushQueued = false;
  // Rows are built fresh for the spool by their callers, so stamping one in place is safe.
  const line = (entry: AuditEntry) => {
    entry.eventTime ??= isoNow();
    return `${JSON.stringify(entry)}\n`;
  };
  // A write that failed may have left part of a line (a full disk takes what fits, then
  // refuses the rest): the next write starts on a line of its own, or the first row after it
  // would be glued to the fragment and read as one unreadable line.
  let torn = false;
  const spoolWrite = (text: string) => {
    const handlers = failureHandlers;
    const all = deferred + decisions + text;
    deferred = '';
    decisions = '';
    failureHandlers = [];
    if (deferTimer) clearTimeout(deferTimer);
    deferTimer = null;
    try {
      if (spoolFd === null) throw new Error('the audit spool is not open');
      if (all) {
        const chunk = torn ? `\n${all}` : all;
        torn = true;
        // The string goes to writeSync as is: no Buffer copy of every write on the per-call path.
        // It may write less than asked without an error (a disk that fills up): only then is a
        // Buffer built, and the rest written from it, or the write fails — never reported as done
        // with rows missing.
        const written = writeSync(spoolFd, chunk);
        if (written < Buffer.byteLength(chunk)) {
          const bytes = Buffer.from(chunk);
          for (let at = written; at < bytes.length;) at += writeSync(spoolFd, bytes, at);
        }
        torn = false;
      }
    } catch (error) {
      const failure = new Error(`audit write failed: ${(error as Error).message}`);
      for (const handler of handlers) handler(failure);
      throw failure;
    }
  };
  const flushDecisions = () => {
    flushQueued = false;
    try {
      spoolWrite('');
    } catch {
      // reported to each waiting call through its onFailure
    }
  };
  const flushDeferred = () => {
    try {
      spoolWrite('');
    } catch {
      // nothing waits on these rows
    }
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
      helloSent = message;
      return awaitHello(() => send({ t: 'hello', ...message })).then((reply) => {
        if (reply.t === 'welcome') {
          admitted = true;
          spoolFd = openSync(reply.spool, 'a', 0o600);
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
    record(entry, onFailure) {
      decisions += line(entry);
      failureHandlers.push(onFailure);
      if (!flushQueued) {
        flushQueued = true;
        process.nextTick(flushDecisions);
      }
    },
    flush() {
      spoolWrite('');
    },
    manifest(kind, items, listed) {
      return ask((rid) => ({ t: 'manifest', rid, kind, items, ...(listed?.page ? { page: listed.page } : {}), ...(listed?.numbers ? { numbers: [...listed.numbers] } : {}) })).promise.then((reply) => {
        if (reply.t !== 'manifestVerdict') throw new Error(reply.t === 'nack' ? reply.error : `unexpected engine reply ${reply.t}`);
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
    onReleaseTaken(listener) {
      releaseTakenListener = listener;
    },
    shareTaint(tool, hashes) {
      if (!closed && hashes.length > 0) send({ t: 'taint', tool, hashes: Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength).toString('base64') });
    },
    onTaint(listener) {
      taintListener = listener;
    },
    event(entry) {
      deferred += line(entry);
      if (deferred.length > 64 * 1024) flushDeferred();
      else if (!deferTimer) deferTimer = setTimeout(flushDeferred, 20);
    },
    onSnapshot(listener) {
      snapshotListener = listener;
    },
    onRevoked(listener) {
      revokedListener = listener;
    },
    close() {
      ended = true;
      if (retry) clearTimeout(retry);
      // A hello still waiting is over: its timer is cleared with it.
      helloWaiter?.reject(new Error(ENGINE_GONE));
      helloWaiter = null;
      flushDeferred();
      closed = true;
      if (spoolFd !== null) closeSync(spoolFd);
      spoolFd = null;
      socket.end();
    },
  };
}

let lastMs = 0;
let lastIso = '';
/** The current time as ISO 8601; calls within one millisecond (a pipelined burst) share one string. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = isoFromEpochMs(now);
  }
  return lastIso;
}

/** (hash1, hash2) pairs sent as base64 (shareTaint), or null when the text is not whole pairs. */
function hashesFromBase64(text: string): Uint32Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 8 !== 0) return null;
  // A copy: the Buffer's offset in its pool need not be 4-aligned.
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
