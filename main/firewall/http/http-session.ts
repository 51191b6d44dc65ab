import type { ServerResponse } from 'node:http';
import { arrayMembers } from '../jsonrpc/json-scan.js';
import { ErrorCode, errorResponse, idKey, isRequest, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { RemotePin } from '../registry/registry.js';
import { AnswersOverBudget, UNBOUNDED_BUDGET } from './answer-limits.js';
import type { Backpressure } from './backpressure.js';
import { newSessionId, refuseUnknownSession, type ClientSession } from './client-session.js';
import { failRequest, finishPost, isOpen, openEventStream, SESSION_HEADER, writeEvent, type PendingPost } from './client-stream.js';
import type { PostedMessages } from './read-messages.js';
import { startRelaySession, type RelayContext } from './relay-session.js';
import { responsesOfLine } from './upstream-parts.js';

export interface HttpSessionOptions extends RelayContext {
  client: string;
  target: RemotePin;
  onEnd: (session: HttpSession) => void;
}

/**
 * One MCP session of a Streamable HTTP client: the client side of a relay session
 * (relay-session.ts), answering each POST on its own stream or as one JSON body.
 */
export interface HttpSession extends ClientSession {
  /** Sends the client's messages on; `res` gets the answers (202 when nothing waits for one). */
  post(posted: PostedMessages, accept: string, res: ServerResponse): void;
  /** Makes `res` the stream for server-initiated messages; false when one is already open. */
  listen(res: ServerResponse): boolean;
  /** The protocol version the server's answer to initialize named; null until then. */
  protocolVersion(): string | null;
}

/**
 * Server-initiated messages kept while the client has no stream open: at most this many,
 * and at most MAX_BACKLOG_BYTES of them (the newest is kept whatever its size, up to the
 * relay's 64 MiB bound), so a server sending large messages cannot grow the engine.
 */
const MAX_BACKLOG = 256;
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export function startHttpSession(options: HttpSessionOptions): HttpSession {
  const id = newSessionId();
  const posts = new Set<PendingPost>();
  const byId = new Map<string, PendingPost>();
  const byToken = new Map<string, PendingPost>();
  // Ids of requests sent on and not yet answered, whether or not their POST is still open
  // (a client that hangs up has not cancelled): an id is free again only once answered.
  const unanswered = new Set<string>();
  const backlog: string[] = [];
  let backlogBytes = 0;
  const answerBudget = options.answerBudgetFor?.(options.server) ?? UNBOUNDED_BUDGET;
  let stream: ServerResponse | null = null;
  let lastActive = Date.now();
  let finished = false;
  let ending = false;
  // The first POST carries the session's initialize; the answer to it names the version.
  let opened = false;
  let initializeKey: string | null = null;
  let negotiated: string | null = null;

  const toStream = (line: string): Backpressure => {
    if (stream && isOpen(stream)) return writeEvent(stream, line);
    // No GET stream: the newest POST still streaming takes it, as the spec allows for
    // messages sent while a request is in progress.
    const open = [...posts].reverse().find((p) => !p.json && isOpen(p.res));
    if (open) return writeEvent(open.res, line);
    backlog.push(line);
    backlogBytes += Buffer.byteLength(line);
    while (backlog.length > MAX_BACKLOG || (backlogBytes > MAX_BACKLOG_BYTES && backlog.length > 1)) {
      backlogBytes -= Buffer.byteLength(backlog.shift()!);
    }
    return undefined;
  };

  /** The POST stops carrying anything: its answers, and messages related to its requests. */
  const detach = (post: PendingPost) => {
    posts.delete(post);
    // Idle from its last answer on, not from when the request came: a call that ran for
    // ten minutes must not leave its session the first to be ended to make room.
    lastActive = Date.now();
    for (const key of post.waiting.keys()) byId.delete(key);
    for (const token of post.progressTokens) if (byToken.get(token) === post) byToken.delete(token);
  };

  const complete = (post: PendingPost) => {
    detach(post);
    finishPost(post, id);
  };

  /**
   * The open POST stream a server message belongs on, if it relates to a request of one: it
   * is progress for a token a request there named, or the server sent it on that request's
   * own stream (`related`). Sent there, it reaches the client before the answer it precedes;
   * on the GET stream it raced the answer, and a client drops progress for a call it has
   * already answered (the official SDK does).
   */
  const homeOf = (line: string, related: string[]): PendingPost | undefined => {
    const token = progressTokenOf(line);
    const candidates = [token === undefined ? undefined : byToken.get(token), ...related.map((key) => byId.get(key))];
    // A client that takes only JSON gets its answers alone: nothing else can ride on that POST.
    return candidates.find((p) => p !== undefined && !p.json && isOpen(p.res));
  };

  /**
   * Keeps an answer for a POST answered as one JSON body. Such answers wait in memory, past
   * any backpressure, until the last of the POST's is in: a batch of N calls (N the
   * client's choice) answered with 64 MiB each was held whole. They count against the
   * server's answer budget until the client has the body; one that does not fit is
   * answered with why instead.
   */
  const collect = (post: PendingPost, line: string, keys: string[]) => {
    if (!isOpen(post.res)) return; // nobody reads it: nothing kept
    const bytes = Buffer.byteLength(line);
    try {
      answerBudget.take(bytes);
    } catch (error) {
      if (!(error instanceof AnswersOverBudget)) throw error;
      const why = `remote server '${options.server}' ${error.message}; a client taking text/event-stream gets answers as they come`;
      for (const key of keys) post.collected.push(errorResponse(post.waiting.get(key) ?? null, ErrorCode.UpstreamFailed, why, { server: options.server }));
      return;
    }
    post.collectedBytes += bytes;
    post.collected.push(line);
  };

  const deliver = (post: PendingPost, line: string, keys: string[]): Backpressure => {
    if (post.json) collect(post, line, keys);
    for (const key of keys) {
      byId.delete(key);
      post.waiting.delete(key);
    }
    let full: Backpressure;
    if (!post.json && isOpen(post.res)) full = writeEvent(post.res, line);
    if (post.waiting.size === 0) complete(post);
    return full;
  };

  const route = (line: string, responses: JsonRpcMessage[], related: string[]): Backpressure => {
    const initAnswer = initializeKey === null ? undefined : responses.find((m) => idKey(m.id!) === initializeKey);
    if (initAnswer) {
      initializeKey = null;
      const version = (initAnswer.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') negotiated = version;
    }
    const keys = responses.map((m) => idKey(m.id!));
    for (const key of keys) unanswered.delete(key);
    let post: PendingPost | undefined;
    for (const key of keys) {
      const owner = byId.get(key);
      // A server batch answering requests of two POSTs: given whole to one, the other
      // waited for ever. Each member goes its own way instead.
      if (owner && post && owner !== post) return routeApart(line);
      post = owner ?? post;
    }
    if (post) return deliver(post, line, keys);
    const home = responses.length === 0 ? homeOf(line, related) : undefined;
    return home ? writeEvent(home.res, line) : toStream(line);
  };

  /** Each member of a batch line routed alone (one message each: none is split again). */
  const routeApart = (line: string): Backpressure => {
    const waits: Array<Promise<void>> = [];
    for (const member of arrayMembers(line) ?? []) {
      const full = route(member, responsesOfLine(member), []);
      if (full) waits.push(full);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  };

  /**
   * The client cancelled a request: no answer comes for it (the shim drops a late one), so its
   * POST stops waiting for it, and ends once it waits for nothing else. The id stays taken in
   * the shim.
   */
  const withdraw = (cancel: JsonRpcMessage) => {
    const requestId = (cancel.params as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const key = idKey(requestId);
    const post = byId.get(key);
    unanswered.delete(key);
    if (!post) return;
    byId.delete(key);
    post.waiting.delete(key);
    if (post.waiting.size === 0) complete(post);
  };

  const { promise: gone, resolve: relayGone } = Promise.withResolvers<void>();
  const finish = () => {
    if (finished) return;
    finished = true;
    relayGone();
    for (const post of [...posts]) {
      for (const [key, requestId] of post.waiting) {
        void deliver(post, errorResponse(requestId, ErrorCode.UpstreamFailed, `the MCP Firewall session for '${options.server}' ended before this request was answered`), [key]);
      }
      complete(post);
    }
    if (stream && isOpen(stream)) stream.end();
    forget();
  };
  const forget = () => {
    ending = true;
    options.onEnd(session);
  };

  const session: HttpSession = {
    id,
    post({ messages, batch, line }, accept, res) {
      lastActive = Date.now();
      const requests = messages.filter(isRequest);
      const waiting = new Map(requests.map((m) => [idKey(m.id!), m.id!] as const));
      if (ending || finished) return refuseUnknownSession(res);
      // Answers find their POST by id, and the firewall's call path tells calls apart by it:
      // an id twice in one POST, or one still in flight, would hand one call's answer to another.
      if (waiting.size !== requests.length || [...waiting.keys()].some((key) => unanswered.has(key))) {
        return failRequest(res, 400, ErrorCode.InvalidRequest, 'Bad Request: a request id is already in use by a request in flight in this session; ids must be unique');
      }
      const init = messages.find((m) => m.method === 'initialize' && isRequest(m));
      // Only the POST that started the session initializes it: another initialize would be
      // refused upstream, and its failure would end the session under the client.
      if (init && opened) return failRequest(res, 400, ErrorCode.InvalidRequest, 'Bad Request: this session is already initialized; start a new one with an initialize request without mcp-session-id');
      if (!opened && init) initializeKey = idKey(init.id!);
      opened = true;
      for (const message of messages) if (message.method === 'notifications/cancelled') withdraw(message);
      if (waiting.size === 0) {
        relay.send(messages, line);
        res.writeHead(202, { [SESSION_HEADER]: id });
        return void res.end();
      }
      // SSE whenever the client takes it: progress and approval notices can then ride along.
      const post: PendingPost = { res, json: !accept.includes('text/event-stream'), batch, waiting, collected: [], collectedBytes: 0, progressTokens: requests.flatMap(progressTokenAsked) };
      // Sent, or never to be: what it held is free again.
      if (post.json) res.once('close', () => answerBudget.give(post.collectedBytes));
      posts.add(post);
      for (const key of waiting.keys()) {
        byId.set(key, post);
        unanswered.add(key);
      }
      for (const token of post.progressTokens) byToken.set(token, post);
      if (!post.json) openEventStream(res, { [SESSION_HEADER]: id });
      res.on('close', () => {
        // A client that hangs up has not cancelled (spec): later answers go to its GET stream.
        if (posts.has(post)) detach(post);
      });
      relay.send(messages, line);
    },
    listen(res) {
      lastActive = Date.now();
      if (stream && isOpen(stream)) return false;
      stream = res;
      openEventStream(res, { [SESSION_HEADER]: id });
      // At most MAX_BACKLOG lines, already in memory: written at once, and the relay's next
      // line for this stream waits for it to drain.
      backlogBytes = 0;
      for (const line of backlog.splice(0)) void writeEvent(res, line);
      res.on('close', () => {
        if (stream === res) stream = null;
        lastActive = Date.now();
      });
      return true;
    },
    protocolVersion: () => negotiated,
    finished: gone,
    whenAccepting: () => relay.whenAccepting(),
    idleSince() {
      return posts.size === 0 && !(stream && isOpen(stream)) ? lastActive : null;
    },
    end() {
      // Gone for the client at once (404 from now on); the relay winds down behind it.
      forget();
      relay.end();
    },
  };

  const relay = startRelaySession(options, {
    client: options.client,
    target: options.target,
    onLine: route,
    // A refused or failed initialize leaves nothing to talk to: end the session.
    onInitializeFailed: () => session.end(),
    onFinish: finish,
  });
  return session;
}

/** The progress token a request names (`_meta.progressToken`), in idKey form. */
function progressTokenAsked(request: JsonRpcMessage): string[] {
  const token = (request.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? [idKey(token)] : [];
}

/** The token of a progress notification (one message, not a batch), in idKey form. */
function progressTokenOf(line: string): string | undefined {
  // Most lines are not progress: they are not parsed again here.
  if (!line.includes('notifications/progress')) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const { method, params } = message as JsonRpcMessage;
  if (method !== 'notifications/progress') return undefined;
  const token = (params as { progressToken?: unknown } | undefined)?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? idKey(token) : undefined;
}
