import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * The interposer's requests to remote MCP servers, as `fetch` makes them but through
 * `node:http`: the global fetch costs 80–200 µs more per request on this hardware
 * (docs/benchmarks.md §1b), paid on every call a client makes to a remote server. Only
 * what the upstream adapters use is supported: a URL, method, string body, headers,
 * `redirect: 'error'` (they never follow one: the pin is the URL) and an abort signal.
 * Failures look like fetch's (a TypeError with the system error as `cause`), so the
 * messages built from them (upstream-failures.ts) read the same.
 */

// One keep-alive pool per scheme, as fetch's own dispatcher keeps: a session's requests reuse a connection.
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };
const NO_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * How long a server may take to start answering, as undici's own headersTimeout: past it
 * the request fails (a server that accepts and never answers `initialize` would otherwise
 * hold its session forever). Nothing limits the body: an SSE stream may rightly stay quiet.
 */
const HEADERS_TIMEOUT_MS = 300_000;

/**
 * Marks every request the interposer sends upstream, so a URL that leads back to a firewall's
 * own /mcp/NAME (approved by mistake, or two firewalls chained in a circle) is refused at once
 * instead of opening sessions within sessions until the engine runs out of files.
 */
export const HOP_HEADER = 'x-mcp-firewall-hop';

export const upstreamFetch = createUpstreamFetch();

export function createUpstreamFetch(headersTimeoutMs = HEADERS_TIMEOUT_MS): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) => fetchOnce(input, init, headersTimeoutMs)) as typeof fetch;
}

const fetchOnce = (input: string | URL, init: RequestInit, headersTimeoutMs: number) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : null;
    if (body === null) return reject(new TypeError('upstreamFetch sends string bodies only'));
    const headers = new Headers(init.headers);
    if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)));
    headers.set(HOP_HEADER, '1');
    const method = (init.method ?? 'GET').toUpperCase();
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let message: IncomingMessage | undefined;
    // As with fetch, an abort after the answer began fails the reading of its body too.
    const onAbort = () => {
      message?.destroy(signal!.reason as Error);
      request.destroy(signal!.reason as Error);
    };
    const request: ClientRequest = send(url, { method, headers: Object.fromEntries(headers), agent: AGENTS[url.protocol] }, (answer) => {
      clearTimeout(headersTimer);
      message = answer;
      // An abort can destroy it with a reason while nobody reads it yet (the no-body path).
      answer.on('error', () => undefined);
      try {
        resolve(toResponse(answer, method, init.redirect));
      } catch (error) {
        answer.destroy();
        reject(error);
      }
    });
    const headersTimer = setTimeout(() => {
      request.destroy(Object.assign(new Error(`no answer within ${headersTimeoutMs / 1000} s`), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    }, headersTimeoutMs);
    headersTimer.unref();
    request.on('error', (error) => {
      clearTimeout(headersTimer);
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    });
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });

function toResponse(message: IncomingMessage, method: string, redirect: RequestInit['redirect']): Response {
  const status = message.statusCode ?? 0;
  if (redirect === 'error' && status >= 300 && status < 400) throw new TypeError('fetch failed', { cause: new Error(`redirect (HTTP ${status}) refused`) });
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value fetch would refuse too: left out, as it cannot be read through Headers.
    }
  }
  if (NO_BODY_STATUSES.has(status) || method === 'HEAD') {
    message.resume();
    return new Response(null, { status, statusText: message.statusMessage ?? '', headers });
  }
  return new Response(Readable.toWeb(message) as ReadableStream<Uint8Array>, { status, statusText: message.statusMessage ?? '', headers });
}
