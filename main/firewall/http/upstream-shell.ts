import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { ErrorCode, errorResponse, notification, type JsonRpcId } from '../jsonrpc/messages.js';
import { AnswersOverBudget, AnswerStreamIdle, MAX_ANSWER_BYTES, readTextBounded, UNBOUNDED_BUDGET } from './answer-limits.js';
import { untilDrained, type Backpressure } from './backpressure.js';
import { lineWritable } from './line-writable.js';
import { sendWithOAuth } from '../identity/oauth-upstream.js';
import { upstreamFetch } from './upstream-fetch.js';
import { fetchFailure } from './upstream-failures.js';
import { createSseParser } from './sse-parser.js';
import { sniffEdges, type EdgeKind } from '../jsonrpc/result-sniff.js';
import { authorizationHeader, upstreamCredentials, type Credentials, type UpstreamOptions, type UpstreamProcess } from './upstream-parts.js';

export interface ReadEventsOptions {
  /** Once it says so, the rest is not read: the body is cancelled and its socket let go. */
  done?: () => boolean;
  /** The last event id a stream before this one set (a reopened GET stream): events carry it until one sets another. */
  lastEventId?: string;
  /** The stream's `retry:` field: how long (ms) the server asks a client to wait before opening it again. */
  onRetry?: (ms: number) => void;
  /**
   * For a stream that answers requests (a POST's): past this long with no bytes on it
   * (the relay's own slowness not counted) the body is cancelled and the read fails with
   * AnswerStreamIdle (answer-limits.ts POST_STREAM_IDLE_MS says why).
   */
  idleMs?: number;
  /**
   * For a stream that outlives any one request (the GET stream, a legacy SSE stream): an
   * event that does not fit the server's answer budget — full, maybe, with other sessions'
   * answers — is dropped, and this told whose it was (`seen`, from its edges) and why; the
   * stream goes on. Without it the read fails, which fails only the requests of its POST.
   */
  onDropped?: (seen: EdgeKind, reason: string, event: string) => void;
}

/**
 * What each adapter is built on, so that it holds only its transport: the means to reach
 * the server, and the relay-facing half of the process it dresses the server as.
 */
interface UpstreamShell {
  readonly fetch: typeof fetch;
  readonly credentials: Credentials;
  /**
   * `fetch` with `credential` as the Authorization. When that is the OAuth access token, it
   * is refreshed first if it has expired, or once after a 401 and the request sent once
   * more (identity/oauth-upstream.ts decides). A string instead of a response: why no
   * credential the server takes could be had (it names `auth login`).
   */
  authorizedFetch(url: string | URL, init: RequestInit & { headers: Record<string, string> }, credential: string | undefined): Promise<Response | string>;
  /** Aborts every request the adapter made, and any wait for the relay (kill() does). */
  readonly abort: AbortController;
  /** The relay has stopped the adapter (kill() or EOF on stdin). */
  readonly killed: boolean;
  /** The relay has not taken what was handed to it: reading from the server waits for it. */
  readonly relayBehind: boolean;
  /** One message (or batch) for the relay, as one line. */
  send(line: string): void;
  /** Answers request `id` with why it failed (-32004, naming the server). */
  fail(id: JsonRpcId, reason: string): void;
  /**
   * Reads a text/event-stream body to its end, event by event. While the relay has not
   * taken what was read, the rest of the body stays in the socket: a server streaming
   * faster than the client reads is held back by TCP, not piled up in the engine. Once
   * `options.done` says so, the rest is not read (see ReadEventsOptions).
   */
  readEvents(response: Response, onEvent: (data: string, event: string, lastEventId: string) => void, options?: ReadEventsOptions): Promise<void>;
  /**
   * Reads a JSON body whole (up to MAX_ANSWER_BYTES) and hands it to `onText`; what it
   * holds counts against the server's answer budget until the relay has taken it. Past
   * `idleMs` with nothing more of it, it is cancelled and the read fails (AnswerStreamIdle).
   */
  readJson(response: Response, onText: (text: string) => void, idleMs?: number): Promise<void>;
  /**
   * What is done about an event a long-lived stream dropped (ReadEventsOptions.onDropped):
   * the request it answered fails with why (`failPending`: false when none waits for it);
   * a request of the server's own is answered with an error through `answerServer`, so the
   * server does not wait for it; anything else is told the client as a log message.
   */
  dropped(answerServer: (line: string) => void, failPending: (id: JsonRpcId, reason: string) => boolean): NonNullable<ReadEventsOptions['onDropped']>;
  /** Ends stdout, then reports the exit as a child process does (once). */
  exit(code: number): void;
  /**
   * The process the relay drives. Each line written to its stdin goes to `onLine`, which
   * may hold the relay back (see lineWritable). kill(), or EOF on stdin (how a stdio
   * server is told to stop), aborts every request, runs `onKill` (what else ending the
   * remote session takes) and exits once that is done.
   */
  process(onLine: (line: string) => Backpressure, onKill?: () => Promise<unknown> | undefined): UpstreamProcess;
}

export function upstreamShell(options: UpstreamOptions): UpstreamShell {
  const events = new EventEmitter();
  const stdout = new PassThrough();
  const abort = new AbortController();
  let exited = false;
  let killed = false;

  const send = (line: string) => {
    // A request the relay sent just before the server went away fails after stdout ended;
    // nobody reads it then, and a write after end would be an unhandled stream error.
    if (!stdout.writableEnded) stdout.write(`${line}\n`);
  };

  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    stdout.end();
    setImmediate(() => events.emit('close', code, null));
  };

  const doFetch = options.fetch ?? upstreamFetch;
  const budget = options.answerBudget ?? UNBOUNDED_BUDGET;
  const credentials = upstreamCredentials(options);

  const authorizedFetch = (url: string | URL, init: RequestInit & { headers: Record<string, string> }, credential: string | undefined) => {
    const send = (value: string | undefined) => doFetch(url, { ...init, headers: { ...init.headers, ...authorizationHeader(value) } });
    return options.oauth ? sendWithOAuth(options.oauth, credential, send) : send(credential);
  };

  return {
    fetch: doFetch,
    credentials,
    authorizedFetch,
    abort,
    get killed() {
      return killed;
    },
    get relayBehind() {
      return stdout.writableNeedDrain;
    },
    send,
    fail: (id, reason) => send(errorResponse(id, ErrorCode.UpstreamFailed, reason, { server: options.server })),
    async readEvents(response, onEvent, { done, onDropped, lastEventId, onRetry, idleMs } = {}) {
      let overBudget: AnswersOverBudget | undefined;
      const reader = response.body?.getReader();
      // Cancelling the reader ends the read under way (done) and lets the socket go.
      const cancel = () => void reader?.cancel().catch(() => undefined);
      let idled = false;
      let waitingForRelay = false;
      const idle = idleMs === undefined ? undefined : setTimeout(() => {
        // The relay not taking what was read is the client's slowness, not the server's.
        if (waitingForRelay) return void idle!.refresh();
        idled = true;
        cancel();
      }, idleMs);
      idle?.unref();
      const parser = createSseParser(onEvent, MAX_ANSWER_BYTES, (head, tail, event) => onDropped?.(sniffEdges(head, tail), fetchFailure(options, overBudget), event), lastEventId, onRetry);
      const decoder = new TextDecoder();
      // Bytes read and not yet taken by the relay: the event being read, and what was
      // handed on while the relay is behind.
      let taken = 0;
      let ended = false;
      // A long-lived stream never waits for room: what fills the budget may be this
      // stream's own event, or another session's answer held until its client reads.
      const fits = (bytes: number): boolean => {
        try {
          budget.take(bytes);
          return true;
        } catch (error) {
          if (!onDropped || !(error instanceof AnswersOverBudget)) throw error;
          overBudget = error;
          return false;
        }
      };
      try {
        for (;;) {
          const read = reader ? await reader.read() : { done: true as const, value: undefined };
          if (read.done) break;
          // Any bytes are a sign of life: keep-alive comments are how a server running a
          // long tool says so when the client asked for no progress (see POST_STREAM_IDLE_MS).
          idle?.refresh();
          const chunk = read.value;
          const bytes = chunk.byteLength;
          // Past the budget the loop is left by the throw, which cancels the body; or the
          // event is dropped, and what it held given back. What of this chunk the parser
          // keeps after it (a next event begun) goes uncounted: one chunk at most.
          if (fits(bytes)) taken += bytes;
          else {
            parser.drop();
            budget.give(taken);
            taken = 0;
          }
          parser.push(decoder.decode(chunk, { stream: true }));
          // Leaving the loop cancels the body.
          if (done?.()) return;
          const behind = untilDrained(stdout, abort.signal);
          if (behind) {
            waitingForRelay = true;
            await behind.finally(() => (waitingForRelay = false));
          }
          const held = Math.min(taken, parser.heldChars());
          budget.give(taken - held);
          taken = held;
        }
        // Cut off for idleness: what it held of an event is no event.
        if (idled) throw new AnswerStreamIdle(idleMs!);
        ended = true;
        parser.push(decoder.decode());
        parser.end();
      } finally {
        clearTimeout(idle);
        if (!ended) cancel();
        budget.give(taken);
      }
    },
    async readJson(response, onText, idleMs) {
      const taken = { bytes: 0 };
      try {
        const text = await readTextBounded(response, MAX_ANSWER_BYTES, budget, taken, idleMs);
        if (text.trim()) onText(text);
        const behind = untilDrained(stdout, abort.signal);
        if (behind) await behind;
      } finally {
        budget.give(taken.bytes);
      }
    },
    dropped: (answerServer, failPending) => (seen, reason) => {
      options.onDropped?.(reason);
      if (seen.kind === 'request') return answerServer(errorResponse(seen.id, ErrorCode.InternalError, reason));
      if (seen.kind === 'response' && failPending(seen.id, reason)) return;
      send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: reason }));
    },
    exit,
    process(onLine, onKill) {
      const kill = (): boolean => {
        if (killed) return false;
        killed = true;
        abort.abort();
        const ending = onKill?.();
        if (ending) void ending.finally(() => exit(0));
        else exit(0);
        return true;
      };
      return Object.assign(events, { stdin: lineWritable(onLine, kill), stdout, kill });
    },
  };
}
