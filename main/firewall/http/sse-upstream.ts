import { idKey, isRequest, notification, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { AnswerStreamIdle, durationText } from './answer-limits.js';
import type { Backpressure } from './backpressure.js';
import { createLegacyPending } from './legacy-pending.js';
import { createRetryWindow } from './retry-window.js';
import { answerFailure, fetchFailure } from './upstream-failures.js';
import { answerIdleMsOf, parseRelayLine, toRelayLine, type UpstreamOptions, type UpstreamProcess } from './upstream-parts.js';
import { upstreamShell } from './upstream-shell.js';
import { shownUrl } from '../shown-url.js';

/**
 * A remote server speaking the legacy HTTP+SSE transport (MCP 2024-11-05) as the relay's
 * child process: a GET opens the server's event stream, whose first `endpoint` event
 * names the URL each message is POSTed to (202); every answer comes back as a `message`
 * event on that stream. The relay cannot tell it from createUpstream or a local process.
 */
const ENDPOINT_TIMEOUT_MS = 10_000;
/** Bytes of messages waiting for their POST before the relay's writes are held: a pipe's buffer. */
const QUEUE_HIGH_WATER = 64 * 1024;

export function createSseUpstream(options: UpstreamOptions): UpstreamProcess {
  const shell = upstreamShell(options);
  const { credentials, abort } = shell;
  const origin = new URL(options.url).origin;
  // Requests sent, whose answers are to come on the stream: failed at once if it breaks,
  // or once one goes unanswered for its silence bound (legacy-pending.ts).
  const pending = createLegacyPending((key) => giveUp(key));
  let broken: string | null = null;
  // POSTs go one after the other: a stdio pipe keeps order (initialize before the rest),
  // and the server has handled a message when it answers 202.
  let queue: Promise<void> = Promise.resolve();
  let queuedBytes = 0;
  const retryWindow = createRetryWindow(options.server);

  let setEndpoint!: (url: URL) => void;
  let refuseEndpoint!: (error: Error) => void;
  const endpoint = new Promise<URL>((resolve, reject) => {
    setEndpoint = resolve;
    refuseEndpoint = reject;
  });
  endpoint.catch(() => {}); // a break before any POST is reported to each POST, not here

  const fail = (keys: Iterable<string>, reason: string) => {
    for (const key of keys) {
      const request = pending.take(key);
      if (request) shell.fail(request.id, reason);
    }
  };
  const breakWith = (reason: string) => {
    if (broken !== null || shell.killed) return;
    broken = reason;
    refuseEndpoint(new Error(reason));
    fail(pending.keys(), reason);
  };

  // The client gets why, the audit a row, and the server is told to stop, as the spec asks
  // of a sender whose request timed out (a late answer is dropped by the relay).
  const giveUp = (key: string): boolean => {
    if (shell.killed) return true;
    // The answer may be in the stream, behind what the client has not read yet: its slowness is not the server's.
    if (shell.relayBehind) return false;
    const request = pending.take(key)!;
    const reason = fetchFailure(options, new AnswerStreamIdle(request.idleMs, 'no answer to this request on its SSE stream', 'stopped waiting for it'));
    shell.fail(request.id, reason);
    options.onStreamIdle?.(reason);
    if (!request.initialize) void enqueue(notification('notifications/cancelled', { requestId: request.id, reason: `no answer for ${durationText(request.idleMs)}; MCP Firewall stopped waiting for it` }));
    return true;
  };

  // A request the relay cancelled (its client did, or its max_runtime_sec ran out) has had
  // its answer from the relay: none is waited for any more.
  const forgetCancelled = (messages: JsonRpcMessage[]) => {
    for (const message of messages) {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (message.method === 'notifications/cancelled' && (typeof requestId === 'string' || typeof requestId === 'number')) pending.take(idKey(requestId));
    }
  };

  const onEvent = (data: string, event: string) => {
    if (shell.killed || broken !== null) return;
    if (event === 'endpoint') {
      clearTimeout(endpointTimer);
      const url = URL.canParse(data.trim(), options.url) ? new URL(data.trim(), options.url) : null;
      // Every POST carries the firewall's credential: a server must not send it elsewhere
      // (nor smuggle a user:password into the URL, which node:http would send as Basic auth).
      if (!url || url.origin !== origin || url.username || url.password) {
        const what = url && url.origin === origin ? 'with a user or password in its URL' : `on another origin (${url?.origin ?? shownUrl(data.trim()).slice(0, 200)})`;
        breakWith(`remote server '${options.server}' named a message endpoint ${what}; refused`);
        return abort.abort();
      }
      return setEndpoint(url);
    }
    if (event !== 'message') return;
    const relayed = toRelayLine(data);
    if (!relayed) return;
    for (const msg of relayed.responses) pending.take(idKey(msg.id!));
    if (relayed.responses.length === 0) pending.heard(relayed.line);
    shell.send(relayed.line);
  };

  const onDropped = shell.dropped(
    (line) => void enqueue(line),
    (id, reason) => pending.has(idKey(id)) && (fail([idKey(id)], reason), true),
  );

  // A server that opens its stream but never names an endpoint must not hold initialize forever.
  const endpointTimer = setTimeout(() => {
    breakWith(`remote server '${options.server}' sent no message endpoint within ${ENDPOINT_TIMEOUT_MS / 1000}s`);
    abort.abort();
  }, ENDPOINT_TIMEOUT_MS);
  endpointTimer.unref();

  const connect = async () => {
    let connected = false;
    try {
      const response = await shell.authorizedFetch(options.url, { redirect: 'error', method: 'GET', headers: { accept: 'text/event-stream' }, signal: abort.signal }, credentials.read);
      if (typeof response === 'string') return breakWith(response);
      if (!response.ok) return breakWith(await answerFailure(options.server, response, false, credentials.all));
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        await response.body?.cancel();
        return breakWith(`remote server '${options.server}' answered its SSE URL with ${type || 'no content type'}, not an event stream; if it speaks Streamable HTTP, approve it without --sse`);
      }
      connected = true;
      // The stream carries every answer of the session: an event that does not fit the
      // server's budget (full, maybe, with other sessions' answers) is dropped alone.
      await shell.readEvents(response, onEvent, { onDropped });
      breakWith(`remote server '${options.server}' closed its SSE stream`);
    } catch (error) {
      breakWith(fetchFailure(options, error, connected ? 'hung up its SSE stream' : 'is unreachable'));
    }
    // Its session is gone with the stream; no request can be answered again, so the
    // "process" exits like a crashed stdio server. One never reached stays, answering
    // each request with why (as createUpstream does for an unreachable server).
    if (connected && !shell.killed) shell.exit(1);
  };

  const post = async (text: string) => {
    const parsed = parseRelayLine(text);
    if (!parsed) return;
    const { messages, ids } = parsed;
    forgetCancelled(messages);
    if (ids.size > 0) pending.add(messages.filter(isRequest), ids, answerIdleMsOf(options, messages));
    let target: URL;
    try {
      target = await endpoint;
    } catch {
      return fail(ids.keys(), broken ?? `remote server '${options.server}' is not connected`);
    }
    if (shell.killed) return;
    const held = ids.size > 0 ? retryWindow.holding() : null;
    if (held) return fail(ids.keys(), held);
    // Chosen now, not before the wait: the stream's GET may have refreshed an expired OAuth
    // token meanwhile, and the token held before would go out as it was (and be refused).
    const credential = credentials.forMessages(messages);
    try {
      const response = await shell.authorizedFetch(target, { redirect: 'error', method: 'POST', headers: { 'content-type': 'application/json' }, body: text, signal: abort.signal }, credential);
      if (typeof response === 'string') return fail(ids.keys(), response);
      if (response.ok) {
        pending.taken(ids);
        return void (await response.body?.cancel());
      }
      retryWindow.refused(response);
      fail(ids.keys(), await answerFailure(options.server, response, true, credentials.all));
    } catch (error) {
      if (!shell.killed) fail(ids.keys(), fetchFailure(options, error));
    }
  };

  // A server slow to take its POSTs must not have the relay's messages pile up here: past a
  // pipe's worth, the relay's write is held until the queue is through, as a full pipe
  // holds a stdio writer (and the relay stops reading its client).
  const enqueue = (line: string): Backpressure => {
    queuedBytes += line.length;
    queue = queue.then(() => post(line)).finally(() => (queuedBytes -= line.length));
    return queuedBytes > QUEUE_HIGH_WATER ? queue : undefined;
  };

  void connect();
  // Closing the stream (kill aborts it) is how a legacy SSE session ends; there is no DELETE.
  // No wait for an answer outlives the session.
  return shell.process(enqueue, () => void pending.keys().forEach(pending.take));
}
