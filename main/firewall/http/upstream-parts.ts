import type { EventEmitter } from 'node:events';
import type { PassThrough, Writable } from 'node:stream';
import { idKey, isRequest, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { UpstreamOAuth } from '../identity/oauth-upstream.js';
import { POST_STREAM_IDLE_MS, type AnswerBudget } from './answer-limits.js';
import type { ReopenBackoffOptions } from './reopen-backoff.js';
import { sniffResultId, SNIFF_MIN_BYTES } from '../jsonrpc/result-sniff.js';
import type { ActionClass } from '../policy/types.js';

// What the two upstream adapters (Streamable HTTP in upstream.ts, legacy HTTP+SSE in
// sse-upstream.ts) have in common: the relay-facing process shape, the credential rules,
// and turning what a server sends into the relay's lines (upstream-shell.ts builds the
// process, upstream-failures.ts words the errors).

export interface UpstreamOptions {
  /** The registry name, for error messages. */
  server: string;
  url: string;
  /** The firewall's own credential for this server (keychain secret AUTHORIZATION), sent as is. */
  authorization?: string;
  /**
   * A read-only credential (keychain secret AUTHORIZATION_READ). When there is one, only
   * a tools/call the policy classed write or destructive carries `authorization`;
   * everything else — reads, listings, initialize, the GET stream — carries this one, so a
   * read never holds a token that could write (DESIGN §6).
   */
  readAuthorization?: string;
  /**
   * Set when the server was logged in with `mcp-firewall auth login`: it then owns the
   * `authorization` credential (its access token), refreshing it when it expires or is
   * refused, and, when the login split its tokens by scope, the read credential too.
   */
  oauth?: UpstreamOAuth;
  /** The action class the relay decided for a tools/call it is sending (by request id). */
  actionClassOf?: (id: JsonRpcId) => ActionClass | undefined;
  /**
   * A message other than an answer came on the stream answering the requests `ids` (not on
   * the server's own stream): it relates to them, and the client side sends it on with them.
   */
  onRelated?: (line: string, ids: JsonRpcId[]) => void;
  /**
   * A long-lived stream dropped an event that did not fit the answer budget (`reason`, the
   * error its request or the client was given): for the audit trail.
   */
  onDropped?: (reason: string) => void;
  /**
   * The session's GET stream ended or failed (`reason`, a sentence that says whether it is
   * being reopened): once a session, for the audit trail.
   */
  onStreamLost?: (reason: string) => void;
  /** How soon a lost GET stream is opened again (reopen-backoff.ts); tests shorten it. */
  getStreamReopen?: ReopenBackoffOptions;
  /** How long a POST's event stream may go without an event (answer-limits.ts POST_STREAM_IDLE_MS); tests shorten it. */
  postStreamIdleMs?: number;
  /**
   * How long the answer of a POST carrying `requests` may go silent, when the relay knows
   * their runtime limits (answer-wait.ts); else `postStreamIdleMs`.
   */
  answerIdleMs?: (requests: JsonRpcMessage[]) => number;
  /** A POST's event stream was given up for idleness (`reason`, what its requests were answered): for the audit trail. */
  onStreamIdle?: (reason: string) => void;
  fetch?: typeof fetch;
  /** Shared by every session of the server: what their answers may hold at once (answer-limits.ts). */
  answerBudget?: AnswerBudget;
  /** Set when the client speaks MCP 2026-07-28 (stateless): what only that adapter needs (modern-upstream.ts). */
  modern?: ModernHooks;
}

/** What the stateless adapter asks of the client side (modern-session.ts). */
export interface ModernHooks {
  /**
   * The `_meta` envelope of the client's latest request. A request of the firewall's own (its
   * tools/list look) carries it: a 2026-07-28 server refuses a request that names no revision,
   * client or capabilities, and answers what it lists for that client as it would the client.
   */
  envelope(): Record<string, unknown> | undefined;
  /** The client's `Mcp-Param-*` headers for the request the relay sends under `id` (taken once). */
  paramHeaders(id: JsonRpcId): Record<string, string>;
}

/**
 * A remote server dressed as the child process the stdio relay drives: newline-delimited
 * JSON-RPC in on `stdin`, out on `stdout`, `kill()` and `close`. The relay
 * (proxy/shim.ts) then polices remote servers on exactly the path it polices local ones,
 * and the adapters only translate transports.
 */
export interface UpstreamProcess extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: PassThrough;
  kill(signal?: NodeJS.Signals | number): boolean;
}

export interface Credentials {
  /** For everything that is not a write: reads, listings, initialize, streams. */
  readonly read: string | undefined;
  /** The write credential only for a batch holding a tools/call classed other than read. */
  forMessages(messages: JsonRpcMessage[]): string | undefined;
  /** Every credential held for the server: what must never be repeated to the client. */
  readonly all: Array<string | undefined>;
}

export function upstreamCredentials(options: UpstreamOptions): Credentials {
  // Read when used, not once: an OAuth access token changes when it is refreshed.
  const write = () => (options.oauth ? options.oauth.authorization : options.authorization);
  // A login that split its tokens has a read-only one, and reads never fall back to the full one.
  const read = () => (options.oauth?.splits ? options.oauth.readAuthorization : (options.readAuthorization ?? write()));
  return {
    get read() {
      return read();
    },
    get all() {
      return [read(), write()];
    },
    forMessages(messages) {
      // Every call's class is looked up (the lookup also forgets it), then any write decides.
      // A call of unknown class (say, two in flight under one id) gets the read credential:
      // a write refused upstream is safe, a read holding a write token is what this avoids.
      const classes = messages.filter((m) => isRequest(m) && m.method === 'tools/call').map((m) => options.actionClassOf?.(m.id!) ?? 'read');
      return classes.some((c) => c !== 'read') ? write() : read();
    },
  };
}

/** The client's own Authorization never gets here (DESIGN §6: no token passthrough): only ours. */
export function authorizationHeader(credential: string | undefined): Record<string, string> {
  return credential ? { authorization: credential } : {};
}

/**
 * One upstream message as one relay line, and the responses in it. Raw line breaks cannot
 * occur inside JSON strings, so as whitespace they can go: a pretty-printed message
 * becomes one line without being re-serialised. Not JSON: the relay reports and drops it.
 * `whole`: the responses are parsed in full even when large (their results are wanted).
 */
export function toRelayLine(text: string, whole = false): { line: string; responses: JsonRpcMessage[] } | null {
  const line = text.replace(/\r\n|\r|\n/g, ' ').trim();
  if (!line) return null;
  return { line, responses: responsesOfLine(line, whole) };
}

/**
 * The responses (not requests or notifications) in one line, a message or batch. Only
 * their ids are wanted on the way through, so a large result is known by the id at its
 * edge (jsonrpc/result-sniff.ts, as the shim does) and never parsed whole; `whole`
 * parses it anyway. A line that is not JSON holds none.
 */
export function responsesOfLine(line: string, whole = false): JsonRpcMessage[] {
  const sniffed = !whole && line.length >= SNIFF_MIN_BYTES ? sniffResultId(line) : undefined;
  if (sniffed !== undefined) return [{ jsonrpc: '2.0', id: sniffed }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return [];
  }
  const members = (Array.isArray(parsed) ? parsed : [parsed]) as JsonRpcMessage[];
  return members.filter((m) => !!m && typeof m === 'object' && m.method === undefined && m.id !== undefined);
}

/**
 * How long the answers to a POST carrying `messages` may stay silent. Taken once a POST that
 * carries a request, before anything can fail: it forgets the POST's calls (answer-wait.ts),
 * which a POST refused, failed or never read would otherwise leave behind for the session's life.
 */
export function answerIdleMsOf(options: UpstreamOptions, messages: JsonRpcMessage[]): number {
  return options.answerIdleMs?.(messages.filter(isRequest)) ?? options.postStreamIdleMs ?? POST_STREAM_IDLE_MS;
}

/** The messages of one relay line and the ids of the requests among them. */
export function parseRelayLine(text: string): { messages: JsonRpcMessage[]; ids: Map<string, JsonRpcId> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null; // the relay only forwards JSON it has parsed
  }
  const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter((m): m is JsonRpcMessage => !!m && typeof m === 'object');
  const ids = new Map<string, JsonRpcId>();
  for (const msg of messages) if (isRequest(msg)) ids.set(idKey(msg.id!), msg.id!);
  return { messages, ids };
}
