import { idKey, isRequest, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { AnswerStreamIdle, readTextBounded } from './answer-limits.js';
import { claimedVersion, LISTEN_METHOD, PROTOCOL_VERSION_META, standardHeaders, VERSION_HEADER } from './modern-envelope.js';
import { createRetryWindow } from './retry-window.js';
import { answerFailure, fetchFailure, withoutCredentials } from './upstream-failures.js';
import { answerIdleMsOf, parseRelayLine, toRelayLine, type UpstreamOptions, type UpstreamProcess } from './upstream-parts.js';
import { upstreamShell } from './upstream-shell.js';

// A remote Streamable HTTP server spoken to in MCP 2026-07-28, the stateless revision, as the
// relay's child process (see UpstreamProcess): each request is one POST that stands alone (no
// initialize, no session id, no GET stream, no DELETE), answered on its own stream.

/** What of a 4xx answer's body is read for the JSON-RPC error a 2026-07-28 server puts there. */
const ERROR_BODY_BYTES = 64 * 1024;

export function createModernUpstream(options: UpstreamOptions): UpstreamProcess {
  const shell = upstreamShell(options);
  const { credentials } = shell;
  const hooks = options.modern;
  // Each request's own POST, by id: cancelling a request is closing its POST (2026-07-28 has
  // no notification a server could tie to a request it holds no session for).
  const inFlight = new Map<string, AbortController>();
  const retryWindow = createRetryWindow(options.server);

  /** One upstream message for the relay; notes the ids it answers (`origin`: the request whose stream it came on). */
  const emit = (text: string, answered: Set<string>, origin: JsonRpcId) => {
    if (shell.killed) return;
    const relayed = toRelayLine(text);
    if (!relayed) return;
    for (const msg of relayed.responses) answered.add(idKey(msg.id!));
    // A notification on a request's stream (progress, a log line, what a subscription brings) goes with it.
    if (relayed.responses.length === 0) options.onRelated?.(relayed.line, [origin]);
    shell.send(relayed.line);
  };

  /** The request as it goes upstream: one of the firewall's own (no envelope) gets the client's. */
  const withEnvelope = (message: JsonRpcMessage, text: string): { message: JsonRpcMessage; body: string } | null => {
    if (claimedVersion(message) !== undefined) return { message, body: text };
    const envelope = hooks?.envelope();
    if (!envelope) return null;
    const params = message.params && typeof message.params === 'object' && !Array.isArray(message.params) ? (message.params as Record<string, unknown>) : {};
    const meta = params._meta && typeof params._meta === 'object' ? (params._meta as Record<string, unknown>) : {};
    const enveloped = { ...message, params: { ...params, _meta: { ...meta, ...envelope } } };
    return { message: enveloped, body: JSON.stringify(enveloped) };
  };

  const headersFor = (message: JsonRpcMessage, id: JsonRpcId | undefined): Record<string, string> => ({
    ...(id === undefined ? {} : (hooks?.paramHeaders(id) ?? {})),
    // After the client's: the standard headers are the body's, whatever the client sent.
    ...standardHeaders(message),
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  });

  /**
   * A 2026-07-28 server answers a request it refuses with 4xx and a JSON-RPC error in the
   * body (a header mismatch, an unsupported revision naming those it supports, a missing
   * capability): the client needs that error itself, not the firewall's account of an HTTP
   * failure, to negotiate or to say what went wrong. A credential of the firewall's that the
   * server repeats is cut out first. Null when the body holds no such error.
   */
  const refusalOf = async (response: Response, id: JsonRpcId): Promise<string | null> => {
    const status = response.status;
    if (status < 400 || status >= 500 || status === 401 || status === 403 || status === 429) return null;
    if (!(response.headers.get('content-type') ?? '').includes('application/json')) return null;
    let text: string;
    try {
      text = withoutCredentials(await readTextBounded(response, ERROR_BODY_BYTES), credentials.all);
    } catch {
      return null;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    const error = (parsed as { error?: unknown } | null)?.error;
    if (!error || typeof error !== 'object' || typeof (error as { code?: unknown }).code !== 'number') return null;
    return JSON.stringify({ jsonrpc: '2.0', id, error });
  };

  const request = async (message: JsonRpcMessage, text: string) => {
    const id = message.id!;
    const key = idKey(id);
    const listen = message.method === LISTEN_METHOD;
    // Taken before anything can fail: it forgets the call's limit (upstream-parts.ts).
    const callIdleMs = answerIdleMsOf(options, [message]);
    const outgoing = withEnvelope(message, text);
    const answered = new Set<string>();
    const fail = (reason: string) => {
      if (!answered.has(key)) shell.fail(id, reason);
    };
    if (!outgoing) return fail(`MCP Firewall has no MCP 2026-07-28 envelope to send this request to remote server '${options.server}' with`);
    const held = retryWindow.holding();
    if (held) return fail(held);
    const cancel = new AbortController();
    inFlight.set(key, cancel);
    try {
      if (shell.killed) return;
      const signal = AbortSignal.any([shell.abort.signal, cancel.signal]);
      const response = await shell.authorizedFetch(options.url, { redirect: 'error', method: 'POST', headers: headersFor(outgoing.message, id), body: outgoing.body, signal }, credentials.forMessages([message]));
      if (typeof response === 'string') return fail(response);
      if (!response.ok) {
        retryWindow.refused(response);
        const refusal = await refusalOf(response, id);
        if (refusal) return void emit(refusal, answered, id);
        return fail(await answerFailure(options.server, response, false, credentials.all));
      }
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('text/event-stream')) {
        await shell.readEvents(response, (data) => emit(data, answered, id), {
          done: () => answered.has(key),
          // A subscription's stream stays open as long as the client listens, and may rightly
          // stay quiet: no silence bound. Like the GET stream it stands in for, an event past the
          // server's answer budget is dropped, not the stream.
          ...(listen ? { onDropped: shell.dropped(() => {}, (failed, reason) => (shell.fail(failed, reason), true)) } : { idleMs: callIdleMs }),
        });
      } else if (type.includes('application/json')) {
        await shell.readJson(response, (body) => emit(body, answered, id), callIdleMs);
      } else await response.body?.cancel();
      fail(`remote server '${options.server}' ended its answer without answering this request`);
    } catch (error) {
      // Cancelled by the client (it closed its POST) or the relay: nobody waits for an answer.
      if (shell.killed || cancel.signal.aborted) return;
      const reason = fetchFailure(options, error);
      fail(reason);
      if (error instanceof AnswerStreamIdle) options.onStreamIdle?.(reason);
    } finally {
      if (inFlight.get(key) === cancel) inFlight.delete(key);
    }
  };

  const notify = async (message: JsonRpcMessage, text: string) => {
    // The relay's own bookkeeping of a session the server never had.
    if (message.method === 'notifications/initialized') return;
    if (message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') inFlight.get(idKey(requestId))?.abort();
      return;
    }
    // Nothing else waits on an answer (no server asks the client anything in 2026-07-28):
    // a notification goes on as the client sent it, its headers written from it.
    if (typeof message.method !== 'string' || shell.killed) return;
    const version = claimedVersion(message) ?? hooks?.envelope()?.[PROTOCOL_VERSION_META];
    const headers = { ...headersFor(message, undefined), ...(typeof version === 'string' ? { [VERSION_HEADER]: version } : {}) };
    try {
      const response = await shell.authorizedFetch(options.url, { redirect: 'error', method: 'POST', headers, body: text, signal: shell.abort.signal }, credentials.read);
      if (typeof response !== 'string') await response.body?.cancel();
    } catch {
      // A notification has nobody to tell.
    }
  };

  const post = (text: string) => {
    const parsed = parseRelayLine(text);
    if (!parsed) return;
    const { messages } = parsed;
    // The client side takes no batch from a 2026-07-28 client (the revision has none), and the
    // relay's own messages come one by one; a batch is never sent whole as one POST.
    const single = messages.length === 1 ? text : null;
    for (const message of messages) {
      const line = single ?? JSON.stringify(message);
      if (isRequest(message)) void request(message, line);
      else void notify(message, line);
    }
  };

  return shell.process((line) => void post(line));
}
