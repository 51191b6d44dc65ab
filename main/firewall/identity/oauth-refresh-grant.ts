import { fetchToken, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

// One refresh-token grant (RFC 6749 §6), optionally narrowed to `scope`: how the read-only
// token is obtained after a login and kept fresh. The SDK's refreshAuthorization() sends no
// scope, so this is its fetchToken() with a provider that only prepares the grant: the
// SDK still picks the client authentication, adds the `resource` and parses the answer.

export interface RefreshGrant {
  discovery: OAuthDiscoveryState;
  client: OAuthClientInformationMixed;
  refreshToken: string;
  /** Narrower than the grant (the read-only token); undefined asks for the whole grant again. */
  scope?: string;
  /** Already limited to the token endpoint (oauth-fetch.ts). */
  fetch: typeof fetch;
}

export async function refreshGrant(grant: RefreshGrant): Promise<OAuthTokens> {
  const never = (what: string) => () => {
    throw new Error(`a refresh grant has no ${what}`);
  };
  const provider: OAuthClientProvider = {
    redirectUrl: undefined,
    clientMetadata: { redirect_uris: [] },
    clientInformation: () => grant.client,
    tokens: () => undefined,
    saveTokens: () => {},
    redirectToAuthorization: never('browser step'),
    saveCodeVerifier: () => {},
    codeVerifier: never('PKCE verifier'),
    prepareTokenRequest: () => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: grant.refreshToken, ...(grant.scope ? { scope: grant.scope } : {}) }),
  };
  const { discovery } = grant;
  return fetchToken(provider, discovery.authorizationServerUrl, {
    ...(discovery.authorizationServerMetadata ? { metadata: discovery.authorizationServerMetadata } : {}),
    // Verbatim, as the login sent it (RFC 8707): a re-serialised URL may gain a slash the server rejects.
    ...(discovery.resourceMetadata ? { resource: discovery.resourceMetadata.resource } : {}),
    fetchFn: grant.fetch,
  });
}
