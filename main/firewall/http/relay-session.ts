import type { spawn as nodeSpawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { idKey, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { ActionClass } from '../policy/types.js';
import { createKeytarStore } from '../identity/keytar-store.js';
import type { CredentialsLock } from '../identity/credentials-lock.js';
import type { SecretStore } from '../identity/secret-store.js';
import { loginSplits, oauthTokensFit } from '../identity/oauth-secrets.js';
import { upstreamOAuth, type UpstreamOAuth } from '../identity/oauth-upstream.js';
import { runShim } from '../proxy/shim.js';
import { remoteFingerprint, type RemotePin } from '../registry/registry.js';
import { ANSWER_BUDGET_RULE, POST_STREAM_IDLE_MS, type AnswerBudget } from './answer-limits.js';
import { createAnswerWait } from './answer-wait.js';
import { untilDrained, type Backpressure } from './backpressure.js';
import { lineWritable } from './line-writable.js';
import type { ReopenBackoffOptions } from './reopen-backoff.js';
import { createRelatedLines } from './related-lines.js';
import { createSseUpstream } from './sse-upstream.js';
import { createUpstream } from './upstream.js';
import { createModernUpstream } from './modern-upstream.js';
import { responsesOfLine, type ModernHooks, type UpstreamOptions, type UpstreamProcess } from './upstream-parts.js';

/** Which server a session relays to and how it reaches the engine: the same for each session of the server. */
export interface RelayContext {
  server: string;
  socketPath: string;
  log: (line: string) => void;
  /** Rows for the audit trail that no relay decision carries, by what they are. */
  audit?: RelayAudit;
  /** Where refreshed OAuth tokens are written back: the engine's keychain (the OS's when it has none). */
  secretStore?: SecretStore | null;
  /** Held while a refresh writes back, against a login or logout elsewhere (credentials-lock.ts). */
  credentialsLock: CredentialsLock;
  /** The answer budget `server`'s sessions share (answer-limits.ts); none: each answer's own bound only. */
  answerBudgetFor?: (server: string) => AnswerBudget;
  /** How soon a session's lost GET stream is opened again (reopen-backoff.ts); tests shorten it. */
  getStreamReopen?: ReopenBackoffOptions;
  /** How long a POST's event stream may go without an event (answer-limits.ts POST_STREAM_IDLE_MS); tests shorten it. */
  postStreamIdleMs?: number;
}

/**
 * Where a session's own rows go, one sink per kind: each kind can come from every session
 * of a server at once, and the interposer holds back a flood of each apart (interposer.ts).
 */
export interface RelayAudit {
  /** OAuth refreshes and scope refusals. */
  oauth(entry: AuditEntry): void;
  /** A failed OAuth refresh: every session of a dead login meets one. */
  refreshFailed(entry: AuditEntry): void;
  /** An event a long-lived stream dropped past the server's answer budget. */
  answerDropped(entry: AuditEntry): void;
  /** The session's GET stream was lost (once a session). */
  streamLost(entry: AuditEntry): void;
  /** A POST's event stream was given up for idleness, and its requests answered with why. */
  answerIdle(entry: AuditEntry): void;
}

/** The client side of one relay session. */
interface RelayClient {
  client: string;
  /** The pinned upstream: its transport picks the adapter, independent of the client's. */
  target: RemotePin;
  /**
   * One line (a JSON-RPC message or batch) for the client, with the responses in it and, for
   * any other message, the keys of the requests it relates to when the server sent it on
   * their stream (related-lines.ts). When the client's stream is full, what to wait for: the
   * relay reads no more from the server until then.
   */
  onLine: (line: string, responses: JsonRpcMessage[], related: string[]) => Backpressure;
  /** The client's initialize was refused or failed: there is nothing left to talk to. */
  onInitializeFailed: () => void;
  /**
   * Set for a client speaking MCP 2026-07-28 (stateless): the server is then spoken to in
   * that revision (modern-upstream.ts), whatever the pin's Streamable HTTP adapter would do.
   */
  modern?: ModernHooks;
  /** The upstream stopped (the relay killed it: the server was disabled, say), before the relay did. */
  onUpstreamClosed?: () => void;
  /** The engine did not admit the session (or was not reached): the relay answers each request with why, and starts nothing. */
  onNotAdmitted?: () => void;
  /** The relay has wound down (client gone, upstream gone, or the firewall stopped it). */
  onFinish: () => void;
}

/** One MCP session's relay, as an HTTP client side (Streamable or legacy SSE) drives it. */
export interface RelaySession {
  /** The client's messages, and the line they make (read-messages.ts wrote it). */
  send(messages: JsonRpcMessage[], line: string): void;
  /** Undefined while the relay takes more; else settles once it does (or has stopped). */
  whenAccepting(): Backpressure;
  /** The client is gone: EOF to the relay, which stops the upstream behind it. */
  end(): void;
}

function oauthOption(context: RelayContext, secrets: NodeJS.ProcessEnv): { oauth?: UpstreamOAuth } {
  const audit = context.audit;
  const oauth = upstreamOAuth({
    server: context.server, secrets, store: context.secretStore ?? createKeytarStore(), log: context.log,
    lock: context.credentialsLock,
    ...(audit ? { audit: (decision, reason) => (decision === 'OAUTH_REFRESH_FAILED' ? audit.refreshFailed : audit.oauth)({ event: 'secret', decision, serverName: context.server, ruleId: 'oauth', reason }) } : {}),
  });
  return oauth ? { oauth } : {};
}

/** The rule of the audit row a session's lost GET stream writes. */
const GET_STREAM_RULE = 'get-stream';
/** The rule of the audit row a POST's event stream given up for idleness writes. */
const ANSWER_IDLE_RULE = 'answer-idle';

const ADAPTERS: Record<RemotePin['transport'], (options: UpstreamOptions) => UpstreamProcess> = {
  http: createUpstream,
  sse: createSseUpstream,
};

/**
 * An in-process shim (proxy/shim.ts, the same relay `wrap` runs) whose "child process" is
 * the pinned remote server. Every policy, approval, audit and output decision is the
 * shim's; the HTTP client sides only translate transports, as the upstream adapters do.
 */
export function startRelaySession(context: RelayContext, options: RelayClient): RelaySession {
  const input = new PassThrough();
  const stopped = new AbortController();
  let initializeKey: string | null = null;
  const related = createRelatedLines();
  // The shim starts the upstream once the engine admits the session, before it reads a line:
  // an answer before that is a refusal of the admission.
  let spawned = false;
  let refused = false;

  const route = (line: string): Backpressure => {
    // The relay writes JSON only; anything else goes on unchanged, answering nothing.
    const responses = responsesOfLine(line);
    for (const response of responses) answerWait.answered(response);
    const full = options.onLine(line, responses, responses.length === 0 ? related.take(line) : []);
    if (!spawned && !refused && responses.length > 0) {
      refused = true;
      options.onNotAdmitted?.();
    }
    const initAnswer = initializeKey === null ? undefined : responses.find((m) => idKey(m.id!) === initializeKey);
    if (initAnswer) {
      initializeKey = null;
      if (initAnswer.error !== undefined) setImmediate(options.onInitializeFailed);
    }
    return full;
  };
  const output = lineWritable(route);

  // The relay's verdict on each tools/call it sends, so the upstream picks the credential by class.
  // Two calls in flight under one id are ambiguous: neither is known to be the write, so
  // both get the read credential (a write refused upstream is safe; a read holding a write token is not).
  const classById = new Map<string, { actionClass: ActionClass | 'ambiguous'; pending: number }>();
  // A POST's silent answer is waited on as long as the policy lets its requests run.
  const answerWait = createAnswerWait(context.postStreamIdleMs ?? POST_STREAM_IDLE_MS);
  const spawnUpstream = ((_command: string, _args: string[], spawnOptions: { env?: NodeJS.ProcessEnv }) => {
    spawned = true;
    const secrets = spawnOptions.env ?? {};
    // OAuth tokens go only to the URL they were obtained for; after a re-pin the server's
    // 401 tells the client to run `auth login` for the new one.
    const tokensFit = oauthTokensFit(secrets, options.target.url);
    const adapter = options.modern ? createModernUpstream : ADAPTERS[options.target.transport];
    const upstream = adapter({
      server: context.server,
      url: options.target.url,
      ...(secrets.AUTHORIZATION && tokensFit ? { authorization: secrets.AUTHORIZATION } : {}),
      // A split login's read-only token is one of its tokens: the same rule. A split login
      // without one (removed by hand) sends reads with none: never the full token instead.
      ...(secrets.AUTHORIZATION_READ && tokensFit ? { readAuthorization: secrets.AUTHORIZATION_READ } : loginSplits(secrets) ? { readAuthorization: '' } : {}),
      // A server logged in with `auth login`: its tokens are refreshed, and written back, as they expire.
      ...(tokensFit ? oauthOption(context, secrets) : {}),
      onRelated: (line, ids) => related.note(line, ids.map(idKey)),
      onDropped: (reason) => context.audit?.answerDropped({ event: 'protocol', decision: 'ERROR', ruleId: ANSWER_BUDGET_RULE, serverName: context.server, client: options.client, reason }),
      onStreamLost: (reason) => context.audit?.streamLost({ event: 'protocol', decision: 'ERROR', ruleId: GET_STREAM_RULE, serverName: context.server, client: options.client, reason }),
      onStreamIdle: (reason) => context.audit?.answerIdle({ event: 'protocol', decision: 'ERROR', ruleId: ANSWER_IDLE_RULE, serverName: context.server, client: options.client, reason }),
      ...(context.getStreamReopen ? { getStreamReopen: context.getStreamReopen } : {}),
      answerIdleMs: answerWait.idleMs,
      ...(context.answerBudgetFor ? { answerBudget: context.answerBudgetFor(context.server) } : {}),
      actionClassOf: (requestId) => {
        const key = idKey(requestId);
        const entry = classById.get(key);
        if (!entry) return undefined;
        if (--entry.pending === 0) classById.delete(key);
        return entry.actionClass === 'ambiguous' ? 'read' : entry.actionClass;
      },
      ...(options.modern ? { modern: options.modern } : {}),
    });
    if (options.onUpstreamClosed) upstream.once('close', options.onUpstreamClosed);
    return upstream;
  }) as unknown as typeof nodeSpawn;

  void runShim({
    server: context.server,
    client: options.client,
    // The admission compares this with the pin: a changed URL or transport is drift.
    ...remoteFingerprint(options.target.url, options.target.transport),
    // Only the keychain's secrets (admission env) reach the upstream adapter, never the engine's own environment.
    env: {},
    cwd: process.cwd(),
    input,
    output,
    log: context.log,
    socketPath: context.socketPath,
    spawn: spawnUpstream,
    onRewritten: (from, to) => related.rewrite(from, to),
    onDefaultRuntime: answerWait.setDefault,
    onDispatch: (requestId, actionClass, maxRuntimeSec) => {
      answerWait.dispatched(requestId, maxRuntimeSec);
      const key = idKey(requestId);
      const entry = classById.get(key);
      if (entry) {
        entry.actionClass = 'ambiguous';
        entry.pending++;
      } else classById.set(key, { actionClass, pending: 1 });
    },
  }).finally(() => {
    stopped.abort();
    options.onFinish();
  });

  return {
    send(messages, line) {
      if (input.writableEnded) return;
      const init = messages.find((m) => m.method === 'initialize' && m.id !== undefined);
      if (init) initializeKey = idKey(init.id!);
      input.write(`${line}\n`);
    },
    // The relay pauses `input` while the server is not taking its messages; the client's
    // next POST then waits unread (see whenAccepting's callers) instead of queueing here.
    whenAccepting: () => untilDrained(input, stopped.signal),
    end() {
      if (!input.writableEnded) input.end();
    },
  };
}
