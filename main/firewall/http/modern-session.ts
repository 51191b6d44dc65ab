import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { arrayMembers } from '../jsonrpc/json-scan.js';
import { ErrorCode, errorResponse, idKey, isRequest, notification, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { RemotePin } from '../registry/registry.js';
import { AnswersOverBudget, UNBOUNDED_BUDGET } from './answer-limits.js';
import type { Backpressure } from './backpressure.js';
import { newSessionId, type ClientSession } from './client-session.js';
import { finishPost, isOpen, openEventStream, writeEvent, type PendingPost } from './client-stream.js';
import { envelopeOf, LISTEN_METHOD, paramHeaders, type Envelope } from './modern-envelope.js';
import { withClientId, withSubscription } from './modern-ids.js';
import { startRelaySession, type RelayContext } from './relay-session.js';
import { responsesOfLine } from './upstream-parts.js';

export interface ModernSessionOptions extends RelayContext {
  /** The client as the audit names it (from its clientInfo). */
  client: string;
  target: RemotePin;
  onEnd: (session: ModernSession) => void;
}

/**
 * The firewall's side of one stateless (MCP 2026-07-28) client of one server. The revision has
 * no sessions: each POST stands alone. But what the firewall keeps per session — the tools it
 * has looked at and holds, `session`-scoped approvals, the chain-depth, fan-out and taint
 * guards — only means something across a client's calls; kept per POST, every call would be
 * its own first call (a fan-out or a tainted argument never seen) and a held tool unknown. So
 * the POSTs of one client (its clientInfo name) to one route share one relay (relay-session.ts,
 * the shim `wrap` runs), which lives while they come and ends after the interposer's idle time.
 * Two processes of one client (two editor windows) share it too, as they share the name the
 * audit shows. Their ids may clash (each counts from 0), so each request is relayed under an
 * id of the relay's own and answered under the client's.
 */
export interface ModernSession extends ClientSession {
  readonly target: RemotePin;
  /** Ended, or given way to a new one: the interposer opens another for the next POST. */
  readonly retired: boolean;
  /** One message of the client's (a 2026-07-28 POST carries one); `res` gets its answer, 202 for a notification. */
  post(message: JsonRpcMessage, headers: IncomingHttpHeaders, accept: string, res: ServerResponse): void;
  /** No new POST is taken; the relay ends once the open ones are answered. */
  retire(): void;
}

/** A client's request on its way: the POST that waits for it, and what it is to the client. */
interface Relayed {
  post: PendingPost;
  relayId: number;
  clientId: JsonRpcId;
  listen: boolean;
  progressToken?: string;
}

export function startModernSession(options: ModernSessionOptions): ModernSession {
  const id = newSessionId();
  const posts = new Set<PendingPost>();
  const requests = new Map<string, Relayed>();
  const byToken = new Map<string, Relayed>();
  const params = new Map<string, Record<string, string>>();
  const answerBudget = options.answerBudgetFor?.(options.server) ?? UNBOUNDED_BUDGET;
  let envelope: Envelope | undefined;
  let nextId = 0;
  let lastActive = Date.now();
  let finished = false;
  let retired = false;

  const complete = (post: PendingPost) => {
    posts.delete(post);
    lastActive = Date.now();
    finishPost(post, null);
    if (retired && posts.size === 0) relay.end();
  };

  /** The request is done with: answered, failed, or its client gone. */
  const forget = (entry: Relayed) => {
    const key = idKey(entry.relayId);
    requests.delete(key);
    params.delete(key);
    entry.post.waiting.delete(key);
    if (entry.progressToken !== undefined && byToken.get(entry.progressToken) === entry) byToken.delete(entry.progressToken);
  };

  /** A POST answered as one JSON body keeps its answer until sent, within the server's answer budget. */
  const collect = (entry: Relayed, line: string) => {
    const post = entry.post;
    if (!isOpen(post.res)) return;
    const bytes = Buffer.byteLength(line);
    try {
      answerBudget.take(bytes);
    } catch (error) {
      if (!(error instanceof AnswersOverBudget)) throw error;
      post.collected.push(errorResponse(entry.clientId, ErrorCode.UpstreamFailed, `remote server '${options.server}' ${error.message}; a client taking text/event-stream gets answers as they come`, { server: options.server }));
      return;
    }
    post.collectedBytes += bytes;
    post.collected.push(line);
  };

  const answer = (entry: Relayed, line: string): Backpressure => {
    let out = withClientId(line, entry.relayId, entry.clientId);
    if (entry.listen) out = withSubscription(out, entry.relayId, entry.clientId);
    forget(entry);
    let full: Backpressure;
    if (entry.post.json) collect(entry, out);
    else if (isOpen(entry.post.res)) full = writeEvent(entry.post.res, out);
    if (entry.post.waiting.size === 0) complete(entry.post);
    return full;
  };

  /** Where a message that answers nothing goes: the stream of the request it came with, else a subscription's, else any open one. */
  const notice = (line: string, related: string[]): Backpressure => {
    const streaming = (entry: Relayed | undefined) => entry !== undefined && !entry.post.json && isOpen(entry.post.res);
    // In 2026-07-28 a server sends only on the stream of the request a message belongs to, so
    // the stream it came on says where it goes (a progress token may be any client's own).
    let home = related.map((key) => requests.get(key)).find(streaming);
    home ??= byToken.get(progressTokenOf(line) ?? '');
    // The firewall's own notices (an accepted tool's list_changed) belong to the session: a
    // subscription carries such news; a call's stream is better than nothing.
    home ??= [...requests.values()].reverse().find((entry) => entry.listen && streaming(entry)) ?? [...requests.values()].reverse().find(streaming);
    if (!home || !streaming(home)) return undefined;
    return writeEvent(home.post.res, home.listen ? withSubscription(line, home.relayId, home.clientId) : line);
  };

  const route = (line: string, responses: JsonRpcMessage[], related: string[]): Backpressure => {
    if (responses.length === 0) return notice(line, related);
    if (responses.length > 1) {
      // A batch answer (no 2026-07-28 server sends one): each member goes its own way.
      const waits: Array<Promise<void>> = [];
      for (const member of arrayMembers(line) ?? []) {
        const full = route(member, responsesOfLine(member), []);
        if (full) waits.push(full);
      }
      return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
    }
    const entry = requests.get(idKey(responses[0]!.id!));
    // Nobody waits for it: its client hung up (cancelled) before it came.
    return entry ? answer(entry, line) : undefined;
  };

  /** The client closed its POST before the answer: in 2026-07-28 that is how a request is cancelled. */
  const hungUp = (post: PendingPost) => {
    if (!posts.has(post)) return;
    posts.delete(post);
    lastActive = Date.now();
    for (const key of [...post.waiting.keys()]) {
      const entry = requests.get(key);
      if (!entry) continue;
      forget(entry);
      relay.send([], notification('notifications/cancelled', { requestId: entry.relayId, reason: 'the client closed its request' }));
    }
    if (retired && posts.size === 0) relay.end();
  };

  const refuse = (res: ServerResponse, status: number, requestId: JsonRpcId, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(errorResponse(requestId, code, message));
  };

  const request = (message: JsonRpcMessage, headers: IncomingHttpHeaders, accept: string, res: ServerResponse) => {
    const own = envelopeOf(message);
    // What the revision requires of every request, and the firewall's own lists borrow.
    if (!own) return refuse(res, 400, message.id!, -32602, 'Invalid params: an MCP 2026-07-28 request must carry its _meta envelope (io.modelcontextprotocol/protocolVersion, clientInfo, clientCapabilities)');
    envelope = own;
    const relayId = ++nextId;
    const key = idKey(relayId);
    const post: PendingPost = { res, json: !accept.includes('text/event-stream'), batch: false, waiting: new Map([[key, relayId]]), collected: [], collectedBytes: 0, progressTokens: [] };
    const token = progressTokenAsked(message);
    const entry: Relayed = { post, relayId, clientId: message.id!, listen: message.method === LISTEN_METHOD, ...(token === undefined ? {} : { progressToken: token }) };
    requests.set(key, entry);
    if (token !== undefined) byToken.set(token, entry);
    const mirrored = paramHeaders(headers);
    if (Object.keys(mirrored).length > 0) params.set(key, mirrored);
    posts.add(post);
    if (post.json) res.once('close', () => answerBudget.give(post.collectedBytes));
    else openEventStream(res);
    res.on('close', () => hungUp(post));
    relay.send([], JSON.stringify({ ...message, id: relayId }));
  };

  /** A notification of the client's: a cancel names the client's id, which is mapped to the relay's when it names one request. */
  const notify = (message: JsonRpcMessage, line: string) => {
    if (message.method !== 'notifications/cancelled') return relay.send([message], line);
    const named = (message.params as { requestId?: unknown } | undefined)?.requestId;
    const matches = [...requests.values()].filter((entry) => entry.clientId === named);
    // Two processes of this client with a request under that id in flight: neither is known to be meant.
    if (matches.length !== 1) return;
    const entry = matches[0]!;
    forget(entry);
    relay.send([], JSON.stringify({ ...message, params: { ...(message.params as object), requestId: entry.relayId } }));
    // No answer comes for it now: its stream (a subscription's, say) ends.
    if (entry.post.waiting.size === 0) complete(entry.post);
  };

  const { promise: gone, resolve: relayGone } = Promise.withResolvers<void>();
  const finish = () => {
    if (finished) return;
    finished = true;
    relayGone();
    for (const entry of [...requests.values()]) void answer(entry, errorResponse(entry.relayId, ErrorCode.UpstreamFailed, `the MCP Firewall relay for '${options.server}' ended before this request was answered`));
    for (const post of [...posts]) complete(post);
    stop();
  };
  const stop = () => {
    if (retired) return;
    retired = true;
    options.onEnd(session);
  };

  const session: ModernSession = {
    id,
    target: options.target,
    get retired() {
      return retired || finished;
    },
    post(message, headers, accept, res) {
      lastActive = Date.now();
      // Its relay takes no more (the interposer opens another for the next POST).
      if (retired || finished) {
        if (!isRequest(message)) return void res.writeHead(202).end();
        return refuse(res, 503, message.id!, ErrorCode.UpstreamFailed, `Service Unavailable: the MCP Firewall relay for '${options.server}' was ending; send the request again`);
      }
      if (isRequest(message)) return request(message, headers, accept, res);
      if (message.method !== undefined) notify(message, JSON.stringify(message));
      else relay.send([message], JSON.stringify(message));
      res.writeHead(202).end();
    },
    retire() {
      stop();
      if (posts.size === 0) relay.end();
    },
    finished: gone,
    whenAccepting: () => relay.whenAccepting(),
    idleSince: () => (posts.size === 0 ? lastActive : null),
    end() {
      stop();
      relay.end();
    },
  };

  const relay = startRelaySession(options, {
    client: options.client,
    target: options.target,
    modern: {
      envelope: () => envelope,
      paramHeaders: (requestId) => {
        const key = idKey(requestId);
        const mirrored = params.get(key) ?? {};
        params.delete(key);
        return mirrored;
      },
    },
    onLine: route,
    onInitializeFailed: () => {},
    // Stopped under the client (disabled in the registry, say): the next POST is admitted anew.
    onUpstreamClosed: () => session.retire(),
    // Refused (disabled, drifted): the refusal is answered, and the next POST asks the engine again.
    onNotAdmitted: () => session.retire(),
    onFinish: finish,
  });
  // There is no initialize: the relay is told the session is up, so a list_changed (on a
  // subscription) has the firewall look at the list again, as in a 2025 session.
  relay.send([], JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return session;
}

function progressTokenAsked(request: JsonRpcMessage): string | undefined {
  const token = (request.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? idKey(token) : undefined;
}

/** The token of a progress notification (one message), in idKey form. */
function progressTokenOf(line: string): string | undefined {
  if (!line.includes('notifications/progress')) return undefined;
  try {
    const message = JSON.parse(line) as JsonRpcMessage;
    if (message.method !== 'notifications/progress') return undefined;
    const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
    return typeof token === 'string' || typeof token === 'number' ? idKey(token) : undefined;
  } catch {
    return undefined;
  }
}
