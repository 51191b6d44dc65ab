import { foreignClient } from './oauth-discovery.js';
import { safeOAuthCode } from './oauth-error-text.js';
import { checkOAuthUrl, guardedOAuthFetch } from './oauth-fetch.js';
import type { StoredOAuth } from './oauth-secrets.js';
import { shownUrl } from '../shown-url.js';

// Token revocation (RFC 7009) when a login is removed (`auth logout`, the dashboard's Log
// out, `contain`): removing the tokens here does not stop a copy of them working at the
// authorization server, so it is asked to forget them too. Best effort: the caller removes
// the local copy whatever happens here, and reports (and audits) what the server said.
// Only the endpoint the authorization server's own metadata named is asked, through the
// same guarded fetch as every OAuth request (https, or plain http on this machine only).

export type RevocationStatus = 'revoked' | 'unsupported' | 'failed';

export interface RevocationOutcome {
  status: RevocationStatus;
  /** One line for the user and the audit: never a token value. */
  message: string;
}

/** A token endpoint answers quickly; logout and containment must not hang on one that does not. */
const REVOKE_TIMEOUT_MS = 10_000;

/** Only the error code of what the server said (see oauth-error-text.ts). */
function errorCode(body: string): string | undefined {
  try {
    return safeOAuthCode((JSON.parse(body) as { error?: unknown }).error);
  } catch {
    return undefined;
  }
}

async function revokeOne(endpoint: URL, stored: StoredOAuth, token: string, hint: 'refresh_token' | 'access_token', fetchFn: typeof fetch): Promise<string | null> {
  const body = new URLSearchParams({ token, token_type_hint: hint, client_id: stored.client.client_id });
  // A public client (what `auth login` registers) authenticates with its client_id alone; a
  // server that issued a secret anyway gets it the way RFC 6749 §2.3.1 allows in the body.
  if (stored.client.client_secret) body.set('client_secret', stored.client.client_secret);
  try {
    const response = await fetchFn(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
    });
    const text = await response.text().catch(() => '');
    // RFC 7009 §2.2: 200 whether or not the token was still valid. A redirect is not followed (fetch guard): a failure.
    if (response.status === 200) return null;
    const code = errorCode(text);
    return `HTTP ${response.status}${code ? ` ${code}` : ''}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return `${(error as Error).name === 'TimeoutError' ? `no answer within ${REVOKE_TIMEOUT_MS / 1000} s` : (error as Error).message}${cause ? ` (${cause})` : ''}`;
  }
}

/**
 * Asks the authorization server of `stored` to revoke its refresh token, then its access
 * token and its read-only one (the refresh token first: many servers revoke the access
 * tokens issued from it too).
 * Never throws; null when the login holds no token to revoke.
 */
export async function revokeStoredOAuth(server: string, stored: StoredOAuth, base: typeof fetch = fetch): Promise<RevocationOutcome | null> {
  const bare = (credential: string | undefined) => credential?.replace(/^Bearer\s+/i, '');
  const access = bare(stored.authorization);
  // Only the login's own read-only token (readStoredOAuth leaves out one set by hand).
  const readOnly = bare(stored.readAuthorization);
  const tokens: Array<[string, 'refresh_token' | 'access_token', string]> = [];
  if (stored.refreshToken) tokens.push([stored.refreshToken, 'refresh_token', 'refresh token']);
  if (access) tokens.push([access, 'access_token', 'access token']);
  if (readOnly) tokens.push([readOnly, 'access_token', 'read-only access token']);
  if (tokens.length === 0) return null;

  const issuer = stored.discovery.authorizationServerUrl;
  // Messages reach `auth logout`, the dashboard and the audit: URLs there without query values (shown-url.ts).
  const shownIssuer = shownUrl(issuer);
  const leftValid = `the tokens were removed here but may stay valid at ${shownIssuer} until they expire`;
  // RFC 8414 names it; OpenID discovery documents carry it too (the SDK's type for those does not say so).
  const named = (stored.discovery.authorizationServerMetadata as { revocation_endpoint?: unknown } | undefined)?.revocation_endpoint;
  if (typeof named !== 'string' || !named) {
    return { status: 'unsupported', message: `${shownIssuer} offers no token revocation (no revocation_endpoint in its metadata): ${leftValid}; to end them now, revoke the firewall's access in that provider's settings` };
  }
  let endpoint: URL;
  try {
    // The same rule as the login's: never present the client (or its tokens) to another server.
    const foreign = foreignClient(stored.client, issuer);
    if (foreign) throw new Error(foreign);
    endpoint = checkOAuthUrl(named, 'the revocation endpoint');
  } catch (error) {
    return { status: 'failed', message: `could not revoke the tokens of '${server}' at ${shownIssuer}: ${(error as Error).message}; ${leftValid}` };
  }
  const fetchFn = guardedOAuthFetch(new Set([endpoint.origin]), base);
  const failures: string[] = [];
  for (const [token, hint, what] of tokens) {
    const failure = await revokeOne(endpoint, stored, token, hint, fetchFn);
    if (failure) failures.push(`${what}: ${failure}`);
  }
  const which = listed(tokens.map(([, , what]) => `the ${what}`));
  if (failures.length === 0) return { status: 'revoked', message: `revoked ${which} of '${server}' at ${shownUrl(endpoint.href)}` };
  return { status: 'failed', message: `revoking the tokens of '${server}' at ${shownUrl(endpoint.href)} failed (${failures.join('; ')}): ${leftValid}` };
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const REVOCATION_DECISIONS: Record<RevocationStatus, string> = {
  revoked: 'OAUTH_REVOKED',
  unsupported: 'OAUTH_REVOKE_UNSUPPORTED',
  failed: 'OAUTH_REVOKE_FAILED',
};
