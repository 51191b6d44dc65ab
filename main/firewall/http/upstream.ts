import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { ErrorCode, errorResponse, idKey, isRequest, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { ActionClass } from '../policy/types.js';
import { createSseParser } from './sse-parser.js';

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
  /** The action class the relay decided for a tools/call it is sending (by request id). */
  actionClassOf?: (id: JsonRpcId) => ActionClass | undefined;
  fetch?: typeof fetch;
}

/**
 * A remote Streamable HTTP server dressed as the child process the stdio relay drives:
 * newline-delimited JSON-RPC in on `stdin`, out on `stdout`, `kill()` and `close`. The
 * relay (proxy/shim.ts) then polices remote servers on exactly the path it polices local
 * ones, and this file only translates transports.
 */
export interface UpstreamProcess extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: PassThrough;
  kill(signal?: NodeJS.Signals | number): boolean;
}

const DELETE_TIMEOUT_MS = 2_000;

export function createUpstream(options: UpstreamOptions): UpstreamProcess {
  const fetchFn = options.fetch ?? fetch;
  const events = new EventEmitter();
  const stdout = new PassThrough();
  const abort = new AbortController();
  let sessionId: string | null = null;
  let protocolVersion: string | null = null;
  let initializeId: string | null = null;
  let killed = false;
  let listening = false;
  // Everything but `initialize` waits for it: later requests need the session id it brings.
  let initialized: Promise<void> = Promise.resolve();

  const readCredential = options.readAuthorization ?? options.authorization;
  const headers = (accept = 'application/json, text/event-stream', authorization = readCredential): Record<string, string> => ({
    'content-type': 'application/json',
    accept,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
    // The client's own Authorization never gets here (DESIGN §6: no token passthrough).
    ...(authorization ? { authorization } : {}),
  });
  /** The write credential only for a tools/call classed other than read; an unknown class counts as a write. */
  const credentialFor = (messages: JsonRpcMessage[]) => {
    // Every call's class is looked up (the lookup also forgets it), then any write decides.
    const classes = messages.filter((m) => isRequest(m) && m.method === 'tools/call').map((m) => options.actionClassOf?.(m.id!) ?? 'write');
    return classes.some((c) => c !== 'read') ? options.authorization : readCredential;
  };

  /** Hands one upstream message to the relay as one line; returns the ids it answers. */
  const emit = (text: string, answered: Set<string>) => {
    if (killed) return;
    // Raw line breaks cannot occur inside JSON strings, so as whitespace they can go:
    // a pretty-printed message becomes one line without being re-serialised.
    const line = text.replace(/\r\n|\r|\n/g, ' ').trim();
    if (!line) return;
    try {
      const parsed = JSON.parse(line) as JsonRpcMessage | JsonRpcMessage[];
      for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!msg || typeof msg !== 'object' || msg.method !== undefined || msg.id === undefined) continue;
        answered.add(idKey(msg.id));
        const version = (msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (initializeId === idKey(msg.id) && typeof version === 'string') protocolVersion = version;
      }
    } catch {
      // not JSON: the relay reports and drops it
    }
    stdout.write(`${line}\n`);
  };

  const fail = (ids: Map<string, JsonRpcId>, answered: Set<string>, reason: string) => {
    for (const [key, id] of ids) {
      if (!answered.has(key)) stdout.write(`${errorResponse(id, ErrorCode.UpstreamFailed, reason, { server: options.server })}\n`);
    }
  };

  const readBody = async (response: Response, answered: Set<string>) => {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) {
      const parser = createSseParser((data) => emit(data, answered));
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? []) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
      parser.push(decoder.decode());
      parser.end();
      return;
    }
    const text = await response.text();
    if (type.includes('application/json') && text.trim()) emit(text, answered);
  };

  const listen = async () => {
    if (listening || killed || !sessionId) return;
    listening = true;
    try {
      const response = await fetchFn(options.url, { method: 'GET', headers: headers('text/event-stream'), signal: abort.signal });
      // 405: the server offers no stream of its own; anything else unusable is skipped too.
      if (!response.ok || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await response.body?.cancel();
        return;
      }
      await readBody(response, new Set());
    } catch {
      // The stream only carries server-initiated messages; requests still work without it.
    }
  };

  const post = async (text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return; // the relay only forwards JSON it has parsed
    }
    const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter((m): m is JsonRpcMessage => !!m && typeof m === 'object');
    const ids = new Map<string, JsonRpcId>();
    for (const msg of messages) if (isRequest(msg)) ids.set(idKey(msg.id!), msg.id!);
    const init = messages.find((m) => m.method === 'initialize');
    let initDone = () => {};
    if (init) {
      initializeId = idKey(init.id ?? null);
      initialized = new Promise((resolve) => (initDone = resolve));
    } else {
      await initialized;
    }
    const answered = new Set<string>();
    try {
      if (killed) return;
      const response = await fetchFn(options.url, { method: 'POST', headers: headers(undefined, credentialFor(messages)), body: text, signal: abort.signal });
      if (init) sessionId = response.headers.get('mcp-session-id') ?? sessionId;
      if (!response.ok) {
        const excerpt = (await response.text().catch(() => '')).slice(0, 200);
        return fail(ids, answered, httpFailure(options.server, response.status, excerpt, sessionId !== null));
      }
      await readBody(response, answered);
      if (ids.size > 0 && answered.size < ids.size) fail(ids, answered, `remote server '${options.server}' ended its answer without answering this request`);
      if (messages.some((m) => m.method === 'notifications/initialized')) void listen();
    } catch (error) {
      if (!killed) fail(ids, answered, `remote server '${options.server}' at ${options.url} is unreachable or hung up: ${causeOf(error)}`);
    } finally {
      initDone();
    }
  };

  const splitter = createLineSplitter((line) => void post(line.toString('utf8')));
  const stdin = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      callback();
    },
    final(callback) {
      // EOF from the relay is how a stdio server is told to stop: end the remote session.
      kill();
      callback();
    },
  });

  function kill(): boolean {
    if (killed) return false;
    killed = true;
    abort.abort();
    const ended = sessionId
      ? fetchFn(options.url, { method: 'DELETE', headers: headers(), signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) }).then((r) => r.body?.cancel(), () => {})
      : Promise.resolve();
    void ended.finally(() => {
      stdout.end();
      setImmediate(() => events.emit('close', 0, null));
    });
    return true;
  }

  return Object.assign(events, { stdin, stdout, kill });
}

function httpFailure(server: string, status: number, excerpt: string, hadSession: boolean): string {
  if (status === 401 || status === 403) {
    return `remote server '${server}' refused the request (HTTP ${status}); give the firewall a credential for it with: mcp-firewall secrets set ${server} AUTHORIZATION`;
  }
  if (status === 404 && hadSession) return `remote server '${server}' no longer knows this session (HTTP 404); reconnect the server in your client`;
  return `remote server '${server}' answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
