import { credentialUnsafe } from '../registry/registry.js';
import { shownUrl } from '../shown-url.js';

// Every OAuth request the firewall makes (discovery, registration, token, refresh) goes
// through this fetch. It only reaches origins a trusted document named — the pinned
// server's, then the authorization server its metadata names and that server's own
// endpoints — and only over https, except plain http to this machine (the registry
// allows that for local servers). A server cannot steer us, or a refresh token, anywhere else.

/** Thrown, never a TypeError: the SDK takes a TypeError for CORS and quietly retries or skips. */
export class OAuthOriginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthOriginError';
  }
}

/** Why `value` may not take part in OAuth, or null when it may. */
function oauthUrlProblem(value: string | URL): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `'${shownUrl(String(value))}' is not a URL`;
  }
  const unsafe = credentialUnsafe(url);
  if (unsafe === 'cleartext') return `${url.origin} is not https (plain http is accepted only on this machine)`;
  if (unsafe === 'userinfo') return `${url.origin} carries credentials in the URL`;
  return null;
}

export function checkOAuthUrl(value: string | URL, what: string): URL {
  const problem = oauthUrlProblem(value);
  if (problem) throw new OAuthOriginError(`refused ${what}: ${problem}`);
  return new URL(value);
}

/**
 * A fetch limited to `origins` (read at each call: discovery adds to it as documents
 * name more). Redirects are never followed here: the SDK follows same-origin ones by
 * calling this again, so each hop is checked too.
 */
export function guardedOAuthFetch(origins: ReadonlySet<string>, base: typeof fetch = fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = checkOAuthUrl(input instanceof Request ? input.url : input, 'an OAuth request');
    if (!origins.has(url.origin)) {
      throw new OAuthOriginError(`refused an OAuth request to ${url.origin}: only ${[...origins].join(', ')} may be asked (the server's own origin and the authorization server its metadata names)`);
    }
    // 'error' may stay (stricter still); anything else becomes 'manual'.
    const redirect = (init?.redirect ?? (input instanceof Request ? input.redirect : undefined)) === 'error' ? 'error' : 'manual';
    // A Request carries its own method, headers, body and signal: rebuilt as fetch(request, init)
    // would build it (init wins), never reduced to its URL.
    const response = await (input instanceof Request ? base(new Request(input, { ...init, redirect })) : base(url, { ...init, redirect }));
    return bounded(response);
  }) as typeof fetch;
}

/** A token endpoint (or registration) that never answers must not hold a login, or every session of a server behind its refresh, for ever. */
export const OAUTH_REQUEST_TIMEOUT_MS = 30_000;

/** `base` with each request aborted after `timeoutMs` (as well as by any signal the caller gave). */
export function timedOAuthFetch(base: typeof fetch = fetch, timeoutMs: number = OAUTH_REQUEST_TIMEOUT_MS): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const given = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return base(input, { ...init, signal: given ? AbortSignal.any([given, timeout]) : timeout });
  }) as typeof fetch;
}

/**
 * Metadata, registrations and tokens are a few KB. A server answering without end would
 * otherwise be read whole into the engine (the dashboard's login and every refresh run
 * there), so a body past this errors the read instead (the SDK's response.json() then fails).
 */
const MAX_OAUTH_BODY_BYTES = 1024 * 1024;

function bounded(response: Response): Response {
  if (!response.body) return response;
  let bytes = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (bytes > MAX_OAUTH_BODY_BYTES) controller.error(new Error(`an OAuth answer larger than ${MAX_OAUTH_BODY_BYTES / 1024} KiB; not read`));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(limit), { status: response.status, statusText: response.statusText, headers: response.headers });
}
