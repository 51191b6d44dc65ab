import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAnswerBudget, type AnswerBudget } from './answer-limits.js';
import type { Engine } from '../engine.js';
import { ErrorCode, isRequest, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { clientIdFromInfo } from '../proxy/client-detect.js';
import { refuseUnknownSession } from './client-session.js';
import { failRequest as fail, SESSION_HEADER } from './client-stream.js';
import { startHttpSession, type HttpSession } from './http-session.js';
import { createLegacyEndpoint } from './legacy-endpoint.js';
import { readPost, type PostedMessages } from './read-messages.js';
import { createRefusalLimiter } from '../audit/refusal-limiter.js';
import { tokensEqual } from '../api/http-util.js';
import { ROUTE_KEY_PARAM } from '../route-key.js';
import { MAX_ROUTE_NAME_CHARS } from '../clients/route-url.js';
import { HOP_HEADER } from './upstream-fetch.js';
import { resolveRemoteTarget, type RemoteTarget } from './remote-target.js';
import { createRefreshFailureAudit } from './refresh-failure-audit.js';
import type { RelayAudit } from './relay-session.js';
import type { ReopenBackoffOptions } from './reopen-backoff.js';
import { DEFAULT_SESSION_CAP, type SessionCap } from './session-cap.js';
import { createSessionTable } from './session-table.js';
import { clientNameOf, envelopeOf, HEADER_MISMATCH, headerMismatch, isModernPost, isModernVersion } from './modern-envelope.js';
import { startModernSession } from './modern-session.js';
import { createModernSessions } from './modern-sessions.js';

export const INTERPOSER_PREFIX = '/mcp/';
const PROTOCOL_HEADER = 'mcp-protocol-version';

export interface HttpInterposerOptions {
  /** The engine's shim socket: HTTP sessions are admitted and audited like `wrap`. */
  socketPath: string;
  log?: (line: string) => void;
  /** A session with no open request or stream for this long is ended (clients that never send DELETE). */
  idleMs?: number;
  /** How many sessions one server may have per client transport, and when one may make room (session-cap.ts). */
  sessionCap?: SessionCap;
  /** A server's failed OAuth refreshes are audited once per this long, then as a count (refresh-failure-audit.ts). */
  refreshFailureWindowMs?: number;
  /** What one server's answers may hold in the engine at once (answer-limits.ts). */
  answerBudgetBytes?: number;
  /** How soon a session's lost GET stream is opened again (reopen-backoff.ts); tests shorten it. */
  getStreamReopen?: ReopenBackoffOptions;
  /** How long a POST's event stream may go without an event (answer-limits.ts POST_STREAM_IDLE_MS); tests shorten it. */
  postStreamIdleMs?: number;
}

/**
 * The Streamable HTTP endpoint `127.0.0.1:PORT/mcp/<server>` (DESIGN §1, §6), and the
 * legacy HTTP+SSE one at `/mcp/<server>/sse` + `/mcp/<server>/messages`, mounted on
 * the control API's port ahead of its bearer-token check: MCP clients cannot hold our
 * control token. The Host check still applies (done by the caller), and any request
 * carrying an Origin is refused, since only browsers send one — a web page must not
 * drive the user's tools (DNS rebinding, CSRF).
 */
export interface HttpInterposer {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): void;
}

export function createHttpInterposer(engine: Engine, options: HttpInterposerOptions): HttpInterposer {
  const refusals = createRefusalLimiter((entry) => engine.record(entry));
  const log = options.log ?? (() => {});
  const idleMs = options.idleMs ?? 30 * 60_000;
  const cap = options.sessionCap ?? DEFAULT_SESSION_CAP;
  const sessions = createSessionTable<HttpSession>(cap);
  // Stateless (2026-07-28) clients: one relay per route and client name (modern-session.ts).
  const modern = createModernSessions(cap);
  // Who the client is (its initialize's clientInfo, for the audit) and where NAME leads.
  const admit = (server: string, init: JsonRpcMessage): { client: string; target: RemoteTarget } => {
    const name = (init.params as { clientInfo?: { name?: unknown } } | undefined)?.clientInfo?.name;
    const client = typeof name === 'string' && name ? clientIdFromInfo(name) : 'http';
    return { client, target: resolveRemoteTarget(engine, server, client, (entry) => refusals.record(entry)) };
  };
  const refreshFailures = createRefreshFailureAudit((entry) => engine.audit.append(entry), options.refreshFailureWindowMs);
  // A server streaming event after event past its budget must not grow the trail without
  // end either: 30 rows a minute, all servers together, then one with their count.
  const budgetDrops = createRefusalLimiter((entry) => engine.audit.append(entry), 30, 60_000, (skipped, sample) =>
    `${skipped} more events from remote servers were dropped for their answer budget in the last minute (not recorded one by one; the first was from '${sample.serverName}')`);
  // Each session writes one row when its GET stream is lost; a server or proxy dropping
  // every session's stream at once must not write one per session without end.
  const streamLosses = createRefusalLimiter((entry) => engine.audit.append(entry), 30, 60_000, (skipped, sample) =>
    `${skipped} more sessions lost their remote server's GET stream in the last minute (not recorded one by one; the first was of '${sample.serverName}')`);
  // Each POST whose answer stream went silent writes a row: a server doing it to every
  // request must not write one per request without end.
  const idleAnswers = createRefusalLimiter((entry) => engine.audit.append(entry), 30, 60_000, (skipped, sample) =>
    `${skipped} more answer streams of remote servers went silent and were given up in the last minute (not recorded one by one; the first was of '${sample.serverName}')`);
  const audit: RelayAudit = {
    oauth: (entry) => engine.audit.append(entry),
    refreshFailed: (entry) => refreshFailures.record(entry),
    answerDropped: (entry) => budgetDrops.record(entry),
    streamLost: (entry) => streamLosses.record(entry),
    answerIdle: (entry) => idleAnswers.record(entry),
  };
  // One per server, for all its sessions: a client cannot multiply it by opening more.
  const budgets = new Map<string, AnswerBudget>();
  const answerBudgetFor = (server: string) => {
    let budget = budgets.get(server);
    if (!budget) budgets.set(server, (budget = createAnswerBudget(options.answerBudgetBytes)));
    return budget;
  };
  // How every session, of either transport, reaches the engine.
  const context = {
    socketPath: options.socketPath, log, audit, secretStore: engine.secretStore, credentialsLock: engine.credentialsLock, answerBudgetFor,
    ...(options.getStreamReopen ? { getStreamReopen: options.getStreamReopen } : {}),
    ...(options.postStreamIdleMs ? { postStreamIdleMs: options.postStreamIdleMs } : {}),
  };
  const legacy = createLegacyEndpoint({ ...context, admit, routeKey: engine.routeKey, sessionCap: cap });
  const reaper = setInterval(() => {
    for (const session of [...sessions.all(), ...legacy.sessions(), ...modern.all()]) {
      const since = session.idleSince();
      if (since !== null && Date.now() - since > idleMs) session.end();
    }
  }, Math.min(idleMs, 60_000));
  reaper.unref();

  // Only a URL `protect` (or `registry approve --url`) wrote carries the key: anything else
  // is a stale client config or someone else on this machine (route-key.ts).
  const keyRefusals = createRefusalLimiter((entry) => engine.record(entry), 30, 60_000, (skipped, sample) =>
    `${skipped} more requests without this install's route key were refused in the last minute (not recorded one by one; the first was for '${sample.serverName}')`);
  const refuseWithoutKey = (res: ServerResponse, server: string, url: URL) => {
    const given = url.searchParams.has(ROUTE_KEY_PARAM);
    keyRefusals.record({ event: 'registry', decision: 'DENY', ruleId: 'route-key', serverName: server, reason: `a request to ${INTERPOSER_PREFIX}${server} ${given ? 'with a wrong' : 'without the'} route key was refused` });
    const fix = 'the URL mcp-firewall protect writes into the client config carries it: run mcp-firewall protect (it re-points routes written before), then restart the client';
    fail(res, 403, ErrorCode.InvalidRequest, `Forbidden: ${given ? 'wrong' : 'no'} route key (?${ROUTE_KEY_PARAM}=…); ${fix}`);
  };

  const sessionFor = (req: IncomingMessage, res: ServerResponse, server: string): HttpSession | null => {
    const id = req.headers[SESSION_HEADER];
    if (typeof id !== 'string') {
      fail(res, 400, ErrorCode.InvalidRequest, `Bad Request: no ${SESSION_HEADER} header; start with an initialize request`);
      return null;
    }
    const found = sessions.find(id);
    if (!found || found.server !== server) {
      refuseUnknownSession(res);
      return null;
    }
    // The spec: an unsupported MCP-Protocol-Version is 400. A client sends the one its
    // initialize negotiated (none is taken as the oldest, for older clients).
    const version = req.headers[PROTOCOL_HEADER];
    const negotiated = found.session.protocolVersion();
    if (version !== undefined && negotiated !== null && version !== negotiated) {
      fail(res, 400, ErrorCode.InvalidRequest, `Bad Request: unsupported ${PROTOCOL_HEADER} '${String(version)}'; this session negotiated '${negotiated}'`);
      return null;
    }
    return found.session;
  };

  const post = async (req: IncomingMessage, res: ServerResponse, server: string) => {
    // The session is looked up early only to wait for it; whether the id may be used is
    // decided after the read, as for any POST.
    const read = await readPost(req, res, sessions.find(String(req.headers[SESSION_HEADER]))?.session);
    if (!read) return;
    const accept = String(req.headers.accept ?? '');
    if (req.headers[SESSION_HEADER] === undefined && isModernPost(read.messages, req.headers[PROTOCOL_HEADER])) return modernPost(req, res, server, read, accept);
    const init = read.messages.find((m) => m.method === 'initialize' && isRequest(m));
    if (req.headers[SESSION_HEADER] === undefined && init) return start(res, server, init, read, accept);
    const session = sessionFor(req, res, server);
    if (session) session.post(read, accept, res);
  };

  const start = (res: ServerResponse, server: string, init: JsonRpcMessage, posted: PostedMessages, accept: string) => {
    const { client, target } = admit(server, init);
    if ('refusal' in target) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(target.refusal(init.id ?? null));
    }
    const session = sessions.open(res, server, (onEnd) => startHttpSession({ ...context, server, client, target: target.pin, onEnd }));
    session?.post(posted, accept, res);
  };

  /**
   * A POST of MCP 2026-07-28, the stateless revision: no initialize, no session, every request
   * standing alone. It is admitted as a session's first request is, each time (the registry
   * may have changed since the last), and relayed through its client's relay, so it is
   * policed exactly as a request in a 2025 session.
   */
  const modernPost = async (req: IncomingMessage, res: ServerResponse, server: string, posted: PostedMessages, accept: string) => {
    if (posted.batch) return fail(res, 400, ErrorCode.InvalidRequest, 'Bad Request: JSON-RPC batches may not carry requests for protocol revision 2026-07-28 or later');
    const message = posted.messages[0]!;
    const reply = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
    };
    if (isRequest(message)) {
      const mismatch = headerMismatch(message, req.headers);
      if (mismatch) return reply(400, JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${mismatch}` } }));
    }
    const envelope = envelopeOf(message);
    const name = envelope ? clientNameOf(envelope) : '';
    const client = name ? clientIdFromInfo(name) : 'http';
    for (let attempt = 0; ; attempt++) {
      let session = modern.find(server, name);
      // A notification has no relay to start: with none live, nothing it could concern is in flight.
      if (!session && !isRequest(message)) return void res.writeHead(202).end();
      const target = resolveRemoteTarget(engine, server, client, (entry) => refusals.record(entry));
      if ('refusal' in target) {
        session?.retire();
        return isRequest(message) ? reply(200, target.refusal(message.id!)) : void res.writeHead(202).end();
      }
      if (target.pin.transport === 'sse') {
        return fail(res, 400, ErrorCode.InvalidRequest, `Bad Request: remote server '${server}' is pinned as a legacy HTTP+SSE server, which cannot take MCP 2026-07-28 requests; connect with an earlier revision (initialize)`);
      }
      // Re-pinned since this relay began: the new URL is the one dialled from now on.
      if (session && (session.target.url !== target.pin.url || session.target.transport !== target.pin.transport)) {
        session.retire();
        session = undefined;
      }
      session ??= modern.open(res, server, name, (onEnd) => startModernSession({ ...context, server, client, target: target.pin, onEnd })) ?? undefined;
      if (!session) return;
      // While the relay is behind, this POST waits (its body is read: at most 4 MB).
      const behind = session.whenAccepting();
      if (behind) await behind;
      if (session.retired && attempt < 2) continue;
      return session.post(message, req.headers, accept, res);
    }
  };

  return {
    async handle(req, res, url) {
      if (req.headers.origin !== undefined) return fail(res, 403, ErrorCode.InvalidRequest, `requests from a browser (Origin '${req.headers.origin}') are refused`);
      if (req.headers[HOP_HEADER] !== undefined) return fail(res, 508, ErrorCode.InvalidRequest, 'this request came from an MCP Firewall interposer: a remote server pinned to a firewall route loops back to one; pin the server\'s own URL');
      const [raw, legacyPart, ...rest] = url.pathname.slice(INTERPOSER_PREFIX.length).split('/');
      const server = rest.length === 0 ? decodeName(raw ?? '') : null;
      if (!server) return fail(res, 404, ErrorCode.InvalidRequest, `no MCP server in '${url.pathname}'; use ${INTERPOSER_PREFIX}<server name>`);
      if (!tokensEqual(url.searchParams.get(ROUTE_KEY_PARAM) ?? '', engine.routeKey)) return refuseWithoutKey(res, server, url);
      if (legacyPart !== undefined) return legacy.handle(req, res, server, legacyPart, url);
      if (req.method === 'POST') return post(req, res, server);
      // 2026-07-28 has no GET stream and no session to DELETE: a server answers 405, and so does the firewall.
      if ((req.method === 'GET' || req.method === 'DELETE') && req.headers[SESSION_HEADER] === undefined && isModernVersion(req.headers[PROTOCOL_HEADER])) {
        res.setHeader('allow', 'POST');
        return fail(res, 405, ErrorCode.InvalidRequest, `method ${req.method} is not allowed here: MCP 2026-07-28 has no GET stream nor sessions; change notifications come on a subscriptions/listen request`);
      }
      if (req.method === 'GET') {
        const session = sessionFor(req, res, server);
        if (!session) return;
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) return fail(res, 406, ErrorCode.InvalidRequest, 'Not Acceptable: the GET stream is text/event-stream');
        if (!session.listen(res)) fail(res, 409, ErrorCode.InvalidRequest, 'Conflict: this session already has a GET stream open');
        return;
      }
      if (req.method === 'DELETE') {
        const session = sessionFor(req, res, server);
        if (!session) return;
        session.end();
        res.writeHead(200).end();
        return;
      }
      res.setHeader('allow', 'GET, POST, DELETE');
      fail(res, 405, ErrorCode.InvalidRequest, `method ${req.method} is not allowed here`);
    },
    close() {
      clearInterval(reaper);
      refusals.close();
      keyRefusals.close();
      for (const session of sessions.all()) session.end();
      for (const session of legacy.sessions()) session.end();
      for (const session of modern.all()) session.end();
      refreshFailures.close();
      budgetDrops.close();
      streamLosses.close();
      idleAnswers.close();
    },
  };
}

function decodeName(raw: string): string | null {
  try {
    const name = decodeURIComponent(raw);
    return name && !name.includes('/') && name.length <= MAX_ROUTE_NAME_CHARS ? name : null;
  } catch {
    return null;
  }
}
