import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { safeOAuthCode } from './oauth-error-text.js';
import { refreshGrant } from './oauth-refresh-grant.js';
import { notReadOnly, splitScopes } from './oauth-scope-split.js';
import { LOGIN_NO_SPLIT, LOGIN_READ_SCOPE, OAUTH_SECRETS, tokenSecrets } from './oauth-secrets.js';

// The second half of `auth login` (DESIGN §6): when the granted scopes split plainly into
// read-only and write ones (oauth-scope-split.ts), a second access token narrowed to the
// read-only ones, got with the login's refresh token (RFC 6749 §6 lets a refresh ask for
// less than was granted; the refresh token itself keeps the whole grant). No browser step:
// the user approved the whole grant already.

export interface ReadTokenAtLogin {
  /** AUTHORIZATION_READ and its expiry when there is a split; the refresh token whenever it was rotated. */
  secrets: Record<string, string>;
  /** What OAUTH_SERVER keeps: the read-only token's scope, or why there is none. */
  marker: Record<string, string>;
}

export interface ReadTokenRequest {
  /** What the code exchange issued. */
  tokens: OAuthTokens;
  granted: string | undefined;
  discovery: OAuthDiscoveryState;
  client: OAuthClientInformationMixed;
  /** The login's guarded OAuth fetch (the token endpoint is among what it may reach). */
  fetch: typeof fetch;
  now: number;
}

/**
 * What the server said, as its OAuth error code only (RFC 6749 §5.2 charset): this reaches
 * `auth status` and the audit, and a server's own words could repeat a token.
 */
function brief(error: unknown): string {
  const code = safeOAuthCode((error as { errorCode?: unknown }).errorCode);
  if (code) return code;
  return (error as Error).name === 'OAuthOriginError' ? 'the token endpoint is not one the login may reach' : 'no usable answer';
}

export async function readTokenAtLogin(request: ReadTokenRequest): Promise<ReadTokenAtLogin> {
  const split = splitScopes(request.granted, Boolean(request.tokens.refresh_token));
  if ('reason' in split) return { secrets: {}, marker: { [LOGIN_NO_SPLIT]: split.reason } };
  let issued: OAuthTokens;
  try {
    issued = await refreshGrant({ discovery: request.discovery, client: request.client, refreshToken: request.tokens.refresh_token!, scope: split.readScope, fetch: request.fetch });
  } catch (error) {
    // The login itself stands: one token, as without a split.
    return { secrets: {}, marker: { [LOGIN_NO_SPLIT]: `the authorization server refused a token narrowed to ${split.readScope} (${brief(error)})` } };
  }
  // Rotation (single-use refresh tokens): the one just spent is worthless, the new one is the login's.
  const rotated: Record<string, string> = issued.refresh_token ? { [OAUTH_SECRETS.refreshToken]: issued.refresh_token } : {};
  // Unverified (no scope said) or the full token again: one token, as without a split.
  const wider = notReadOnly(split.readScope, issued, request.tokens.access_token);
  if (wider) return { secrets: rotated, marker: { [LOGIN_NO_SPLIT]: wider } };
  try {
    return { secrets: { ...tokenSecrets(issued, request.now, 'read'), ...rotated }, marker: { [LOGIN_READ_SCOPE]: split.readScope } };
  } catch (error) {
    // Only tokenSecrets throws here, with a message of ours.
    return { secrets: rotated, marker: { [LOGIN_NO_SPLIT]: (error as Error).message } };
  }
}
