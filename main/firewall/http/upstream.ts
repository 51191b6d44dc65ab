import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { idKey, type JsonRpcId } from '../jsonrpc/messages.js';
import {
  authorizationHeader, causeOf, failureLine, httpFailure, lineInput, parseRelayLine, readEventStream, toRelayLine, upstreamCredentials,
  type UpstreamOptions, type UpstreamProcess,
} from './upstream-parts.js';

export type { UpstreamOptions, UpstreamProcess } from './upstream-parts.js';

// A remote Streamable HTTP server as the relay's child process (see UpstreamProcess).

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

  const credentials = upstreamCredentials(options);
  const headers = (accept = 'application/json, text/event-stream', authorization = credentials.read): Record<string, string> => ({
    'content-type': 'application/json',
    accept,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    ...(protocolVersion ? { 'mcp-protocol-version': protocolVersion } : {}),
    ...authorizationHeader(authorization),
  });

  /** Hands one upstream message to the relay as one line; notes the ids it answers. */
  const emit = (text: string, answered: Set<string>) => {
    if (killed) return;
    const relayed = toRelayLine(text);
    if (!relayed) return;
    for (const msg of relayed.responses) {
      answered.add(idKey(msg.id!));
      const version = (msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (initializeId === idKey(msg.id!) && typeof version === 'string') protocolVersion = version;
    }
    stdout.write(`${relayed.line}\n`);
  };

  const fail = (ids: Map<string, JsonRpcId>, answered: Set<string>, reason: string) => {
    for (const [key, id] of ids) if (!answered.has(key)) stdout.write(failureLine(options.server, id, reason));
  };

  const readBody = async (response: Response, answered: Set<string>) => {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) return readEventStream(response, (data) => emit(data, answered));
    const text = await response.text();
    if (type.includes('application/json') && text.trim()) emit(text, answered);
  };

  const listen = async () => {
    if (listening || killed || !sessionId) return;
    listening = true;
    try {
      const response = await fetchFn(options.url, { redirect: 'error', method: 'GET', headers: headers('text/event-stream'), signal: abort.signal });
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
    const parsed = parseRelayLine(text);
    if (!parsed) return;
    const { messages, ids } = parsed;
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
      const response = await fetchFn(options.url, { redirect: 'error', method: 'POST', headers: headers(undefined, credentials.forMessages(messages)), body: text, signal: abort.signal });
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

  // EOF from the relay is how a stdio server is told to stop: end the remote session.
  const stdin = lineInput((line) => void post(line), kill);

  function kill(): boolean {
    if (killed) return false;
    killed = true;
    abort.abort();
    const ended = sessionId
      ? fetchFn(options.url, { redirect: 'error', method: 'DELETE', headers: headers(), signal: AbortSignal.timeout(DELETE_TIMEOUT_MS) }).then((r) => r.body?.cancel(), () => {})
      : Promise.resolve();
    void ended.finally(() => {
      stdout.end();
      setImmediate(() => events.emit('close', 0, null));
    });
    return true;
  }

  return Object.assign(events, { stdin, stdout, kill });
}
