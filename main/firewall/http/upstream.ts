import { setTimeout as sleep } from 'node:timers/promises';
import { idKey, type JsonRpcId } from '../jsonrpc/messages.js';
import { AnswersOverBudget, AnswerStreamIdle, AnswerTooLarge } from './answer-limits.js';
import { askedWaitMs, createReopenBackoff } from './reopen-backoff.js';
import { createRetryWindow } from './retry-window.js';
import { answerFailure, fetchFailure } from './upstream-failures.js';
import { answerIdleMsOf, authorizationHeader, parseRelayLine, toRelayLine, type UpstreamOptions, type UpstreamProcess } from './upstream-parts.js';
import { upstreamShell, type ReadEventsOptions } from './upstream-shell.js';

export type { UpstreamOptions, UpstreamProcess } from './upstream-parts.js';

// A remote Streamable HTTP server as the relay's child process (see UpstreamProcess).

const DELETE_TIMEOUT_MS = 2_000;
/** An event id sent back as Last-Event-ID: printable ASCII, at most 1 KiB (it goes out on every reopen). */
const HEADER_SAFE_ID = /^[\x20-\x7e]{1,1024}$/;

export function createUpstream(options: UpstreamOptions): UpstreamProcess {
  const shell = upstreamShell(options);
  const { credentials, abort } = shell;
  let sessionId: string | null = null;
  let protocolVersion: string | null = null;
  let initializeId: string | null = null;
  let listening = false;
  // Everything but `initialize` waits for it: later requests need the session id it brings.
  // What follows `notifications/initialized` waits for that too: each message is its own
  // POST, and a request overtaking it (the firewall's own tools/list is sent right behind
  // it) would reach a server not yet initialized, which may refuse it (the Python SDK does).
  let handshake: Promise<void> = Promise.resolve();

  // Without the credential: shell.authorizedFetch adds it (and renews an OAuth one).
  const headers = (accept = 'application/json, text/event-stream'): Record<string, string> => ({
    'content-type': 'application/json',
    accept,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
  });

  /**
   * Hands one upstream message to the relay as one line; notes the ids it answers. `origin`:
   * the requests whose POST it came on ([] on the GET stream).
   */
  const emit = (text: string, answered: Set<string>, origin: JsonRpcId[]) => {
    if (shell.killed) return;
    // Until initialize is answered its answer is read whole, for the protocol version in it.
    const relayed = toRelayLine(text, initializeId !== null);
    if (!relayed) return;
    for (const msg of relayed.responses) {
      answered.add(idKey(msg.id!));
      if (initializeId !== idKey(msg.id!)) continue;
      const version = (msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') protocolVersion = version;
      initializeId = null;
    }
    if (relayed.responses.length === 0 && origin.length > 0) options.onRelated?.(relayed.line, origin);
    shell.send(relayed.line);
  };

  const fail = (ids: Map<string, JsonRpcId>, answered: Set<string>, reason: string) => {
    for (const [key, id] of ids) if (!answered.has(key)) shell.fail(id, reason);
  };

  const readBody = async (response: Response, answered: Set<string>, origin: JsonRpcId[] = [], read: ReadEventsOptions = {}) => {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) return shell.readEvents(response, (data) => emit(data, answered, origin), read);
    // Anything but JSON carries no answer: not read (an error page of any size, say).
    if (!type.includes('application/json')) return void (await response.body?.cancel());
    await shell.readJson(response, (text) => emit(text, answered, origin), read.idleMs);
  };

  // An answer on the GET stream (a resumed one) fails its request; whether the relay still
  // waits for it, it knows (and drops one it does not).
  const droppedOnStream = shell.dropped((line) => void post(line), (id, reason) => (shell.fail(id, reason), true));

  // The GET stream, opened after the handshake and again whenever it ends or fails for a
  // reason that may pass (reopen-backoff.ts): until the session ends, it is never left shut
  // by a blip. `listening` holds from the first attempt on, waits included: one loop a session.
  const backoff = createReopenBackoff(options.getStreamReopen);
  let reported = false;
  // The id of the last event the stream brought: a reopened one sends it as Last-Event-ID,
  // so a server that keeps its events replays what came while it was down (the spec's resumability).
  let lastEventId = '';
  // The stream's `retry:`: kept across reopens, as EventSource keeps its reconnection time.
  let streamRetryMs: number | undefined;
  const listen = async () => {
    if (listening || shell.killed || !sessionId) return;
    listening = true;
    for (let opened = false; ; ) {
      const end = await openStream(() => ((opened = true), backoff.opened()));
      if (shell.killed || !end) return;
      // One row a session: the first loss says the stream is being reopened, and a stream
      // refused for good after it had been open says so; the rest would only repeat them.
      if (!reported && (end.retry || opened)) {
        reported = true;
        options.onStreamLost?.(`${end.reason}; ${end.retry ? 'the firewall opens it again (waiting longer each time, up to a minute) while the session lasts' : 'the session gets no more server-initiated messages (list changes, sampling, elicitation)'}`);
      }
      if (!end.retry) return;
      try {
        // Unref'd, and cleared by the abort that ends the session: no timer outlives it.
        await sleep(backoff.next(end.retryAfterMs ?? streamRetryMs), undefined, { signal: abort.signal, ref: false });
      } catch {
        return;
      }
    }
  };

  /**
   * One GET stream, read to its end. Null: there is none to have and nothing to tell (405:
   * the server offers none). Else why it ended, and whether asking again may help: not for
   * a 404 (the session is gone) nor any other 4xx but 429, which asking again would repeat.
   * A 429 or 503 may say how long to wait (`retryAfterMs`, from its Retry-After).
   */
  const openStream = async (onOpen: () => void): Promise<{ reason: string; retry: boolean; retryAfterMs?: number } | null> => {
    const lost = `remote server '${options.server}' lost its GET stream (server-initiated messages)`;
    try {
      const response = await shell.authorizedFetch(options.url, { redirect: 'error', method: 'GET', headers: { ...headers('text/event-stream'), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: abort.signal }, credentials.read);
      if (typeof response === 'string') return { reason: `${lost}: ${response}`, retry: false }; // no token the server takes
      if (response.status === 405) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        const retryAfter = askedWaitMs(response);
        const reason = `${lost}: ${await answerFailure(options.server, response, true, credentials.all)}`;
        return { reason, retry: response.status >= 500 || response.status === 429, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
      }
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await response.body?.cancel();
        return { reason: `${lost}: it answered with ${response.headers.get('content-type') || 'no content type'}, not an event stream`, retry: false };
      }
      onOpen();
      // Another session's answers filling the server's budget drop an event, not the stream.
      const answered = new Set<string>();
      await shell.readEvents(response, (data, _event, id) => {
        emit(data, answered, []);
        // Kept across reopens, as EventSource keeps it, until an event names another or an
        // empty `id:` clears it (the server asks for no replay then). It goes back out as a
        // header: one no header can carry (NUL, which the SSE spec ignores too, or any other
        // control or non-ASCII character) would fail every reopen.
        if (id !== lastEventId && (id === '' || HEADER_SAFE_ID.test(id))) lastEventId = id;
      }, { onDropped: droppedOnStream, lastEventId, onRetry: (ms) => (streamRetryMs = ms) });
      return { reason: `${lost}: the server closed it`, retry: true };
    } catch (error) {
      // A network error, an event past the 64 MiB bound, a headers timeout: all may pass.
      // But an event past the bound is never read, so its id is never kept: resumed from the
      // one before, a server that keeps its events would send it again, every reopen, and
      // nothing after it would ever arrive. The reopen after it starts afresh instead.
      if (error instanceof AnswerTooLarge && !(error instanceof AnswersOverBudget)) lastEventId = '';
      return { reason: `${lost}: ${fetchFailure(options, error)}`, retry: true };
    }
  };

  const retryWindow = createRetryWindow(options.server);
  const post = async (text: string) => {
    const parsed = parseRelayLine(text);
    if (!parsed) return;
    const { messages, ids } = parsed;
    const idleMs = ids.size === 0 ? undefined : answerIdleMsOf(options, messages);
    const init = messages.find((m) => m.method === 'initialize');
    const before = init ? null : handshake;
    let stepDone = () => {};
    if (init) initializeId = idKey(init.id ?? null);
    if (init || messages.some((m) => m.method === 'notifications/initialized')) handshake = new Promise((resolve) => (stepDone = resolve));
    if (before) await before;
    const answered = new Set<string>();
    try {
      if (shell.killed) return;
      const held = ids.size > 0 ? retryWindow.holding() : null;
      if (held) return fail(ids, answered, held);
      const response = await shell.authorizedFetch(options.url, { redirect: 'error', method: 'POST', headers: headers(), body: text, signal: abort.signal }, credentials.forMessages(messages));
      if (typeof response === 'string') return fail(ids, answered, response);
      if (init) sessionId = response.headers.get('mcp-session-id') ?? sessionId;
      if (!response.ok) {
        retryWindow.refused(response);
        return fail(ids, answered, await answerFailure(options.server, response, sessionId !== null, credentials.all));
      }
      // A POST's stream is read until it has answered every request of the POST, and one
      // carrying none (notifications, answers: the spec says 202, no body) is not read, as
      // the SDK's client does. A server that kept each such stream open for ever held one
      // of the engine's sockets per message its client sent, for the session's life; one
      // that held the stream of notifications/initialized held the handshake, so every
      // later request of the session waited for ever.
      if (ids.size === 0) await response.body?.cancel();
      else await readBody(response, answered, [...ids.values()], { done: () => answered.size >= ids.size && [...ids.keys()].every((key) => answered.has(key)), idleMs });
      if (ids.size > 0 && answered.size < ids.size) fail(ids, answered, `remote server '${options.server}' ended its answer without answering this request`);
      if (messages.some((m) => m.method === 'notifications/initialized')) void listen();
    } catch (error) {
      if (shell.killed) return;
      const reason = fetchFailure(options, error);
      fail(ids, answered, reason);
      if (error instanceof AnswerStreamIdle) options.onStreamIdle?.(reason);
    } finally {
      stepDone();
    }
  };

  // Ending the process ends the remote session too.
  const endSession = () =>
    sessionId
      ? shell.fetch(options.url, { redirect: 'error', method: 'DELETE', headers: { ...headers(), ...authorizationHeader(credentials.read) }, signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) }).then((r) => r.body?.cancel(), () => {})
      : Promise.resolve();

  // Each request is its own POST, sent at once (a long tool call must not hold the rest
  // back), so the relay's writes are never held here.
  return shell.process((line) => void post(line), endSession);
}
