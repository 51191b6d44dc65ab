import { randomBytes } from 'node:crypto';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { RemotePin } from '../registry/registry.js';
import { discoverOAuth, sameIssuer } from './oauth-discovery.js';
import { serverAnswerText } from './oauth-error-text.js';
import { guardedOAuthFetch, timedOAuthFetch } from './oauth-fetch.js';
import { createLoginProvider } from './oauth-login-provider.js';
import { readTokenAtLogin } from './oauth-read-token.js';
import { listenForRedirect } from './oauth-redirect-listener.js';
import { LOGIN_SCOPE, LOGIN_URL, OAUTH_SECRETS, tokenSecrets, type StoredOAuth } from './oauth-secrets.js';

// `mcp-firewall auth login NAME`: the MCP authorization flow, with the firewall as the
// OAuth client of the pinned server. Discovery is ours (oauth-discovery.ts); the rest —
// dynamic client registration, PKCE, the `resource` indicator, the code exchange — is
// the official SDK's auth(), run twice: once to the authorization URL, once with the code.
// Then, when the scopes allow, a read-only token beside the full one (oauth-read-token.ts).

export interface OAuthLoginOptions {
  server: string;
  pin: RemotePin;
  /** What an earlier login left: its client is reused when it was registered with the same server and port. */
  previous: StoredOAuth | null;
  scope?: string;
  timeoutMs: number;
  /** Shows the user where to approve (and opens a browser when asked to). */
  onAuthorizationUrl: (url: URL) => void;
  onRefused?: (why: string) => void;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per OAuth request (discovery, registration, token exchange); default OAUTH_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Ends the login (the dashboard's logout or containment): nothing is returned to store. */
  signal?: AbortSignal;
}

export class OAuthLoginCancelled extends Error {}

export interface OAuthLoginResult {
  /** Every OAuth secret of the server, names to values: what the caller stores. */
  secrets: Record<string, string>;
  authorizationServer: string;
  /** A client was registered now (not reused). */
  registered: boolean;
}

/** The loopback port an earlier client registered, so its registration can be reused. */
function registeredPort(client: OAuthClientInformationMixed | undefined): number | undefined {
  const uri = client && 'redirect_uris' in client ? client.redirect_uris[0] : undefined;
  if (!uri || !URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  return url.hostname === '127.0.0.1' && url.port ? Number(url.port) : undefined;
}

function reusable(client: OAuthClientInformationMixed | undefined, redirectUrl: string, now: number, scope: string | undefined): OAuthClientInformationMixed | undefined {
  if (!client || !('redirect_uris' in client) || !client.redirect_uris.includes(redirectUrl)) return undefined;
  // A client registered for a narrower scope (RFC 7591 `scope`) may be refused a wider one (step-up): register anew.
  const registered = typeof client.scope === 'string' ? new Set(client.scope.split(' ')) : undefined;
  if (registered && scope?.split(' ').some((s) => s !== '' && !registered.has(s))) return undefined;
  const expires = client.client_secret_expires_at;
  return expires && expires * 1000 <= now ? undefined : client;
}

export async function oauthLogin(options: OAuthLoginOptions): Promise<OAuthLoginResult> {
  const now = options.now ?? Date.now;
  const cancelled = () => {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new OAuthLoginCancelled('the login was cancelled');
  };
  // No request may hang the login: registration and the token exchange included.
  const timed = timedOAuthFetch(options.fetch, options.requestTimeoutMs);
  const discovered = await discoverOAuth(options.server, options.pin, timed);
  cancelled();
  const authorizationServer = discovered.state.authorizationServerUrl;
  const earlier = options.previous && sameIssuer(options.previous.discovery.authorizationServerUrl, authorizationServer) ? options.previous.client : undefined;
  // 256 bits: the only thing telling our redirect from one another program on this machine sends.
  const state = randomBytes(32).toString('base64url');
  const port = registeredPort(earlier);
  const listener = await listenForRedirect({ state, timeoutMs: options.timeoutMs, ...(port ? { preferredPort: port } : {}), ...(options.onRefused ? { onRefused: options.onRefused } : {}) });
  try {
    // What auth() will ask for (SEP-835): --scope, else the challenge's, else all the server lists.
    const scope = options.scope ?? discovered.scope;
    const requested = scope ?? discovered.state.resourceMetadata?.scopes_supported?.join(' ');
    const client = reusable(earlier, listener.redirectUrl, now(), requested);
    const provider = createLoginProvider({ redirectUrl: listener.redirectUrl, state, client, discovery: discovered.state, onAuthorizationUrl: options.onAuthorizationUrl });
    const fetchFn = guardedOAuthFetch(discovered.origins, timed);
    const request = { serverUrl: options.pin.url, fetchFn, ...(scope ? { scope } : {}) };
    if ((await auth(provider, request)) !== 'REDIRECT') throw new Error('the authorization server issued tokens without asking the user');
    const code = await untilCancelled(listener.code, options.signal);
    cancelled();
    await auth(provider, { ...request, authorizationCode: code });
    const outcome = provider.outcome();
    if (!outcome.tokens || !outcome.client) throw new Error('the authorization server issued no tokens');
    // RFC 6749 §5.1: a token response without `scope` was granted the scope requested.
    const granted = outcome.tokens.scope ?? requested;
    const full = tokenSecrets(outcome.tokens, now());
    // DESIGN §6: a read-only token beside it when the scopes split plainly, else why not.
    const readOnly = await readTokenAtLogin({ tokens: outcome.tokens, granted, discovery: outcome.discovery, client: outcome.client, fetch: fetchFn, now: now() });
    cancelled();
    return {
      secrets: {
        ...full,
        ...readOnly.secrets,
        [OAUTH_SECRETS.client]: JSON.stringify(outcome.client),
        [OAUTH_SECRETS.server]: JSON.stringify({ ...outcome.discovery, [LOGIN_URL]: options.pin.url, ...(granted ? { [LOGIN_SCOPE]: granted } : {}), ...readOnly.marker }),
      },
      authorizationServer,
      registered: outcome.client !== client,
    };
  } finally {
    await listener.close();
  }
}

/** `promise`, or the signal's reason once it is aborted. */
function untilCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason instanceof Error ? signal.reason : new OAuthLoginCancelled('the login was cancelled'));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * Why a login failed, in one line. fetch's own error says only "fetch failed"; the reason
 * (ECONNREFUSED, a certificate, a DNS name) is in its cause. What the authorization server
 * said is repeated as its error code or HTTP status only (oauth-error-text.ts).
 */
export function oauthLoginFailure(server: string, error: unknown): string {
  const answered = serverAnswerText(error);
  if (answered) return `OAuth login of '${server}' failed: ${answered}`;
  if ((error as Error).name === 'TimeoutError') return `OAuth login of '${server}' failed: the authorization server did not answer in time`;
  const message = (error as Error).message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return `OAuth login of '${server}' failed: ${detail && !message.includes(detail) ? `${message} (${detail})` : message}`;
}
