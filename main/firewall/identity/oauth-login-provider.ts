import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

// The SDK's auth() drives the flow (registration, PKCE, the authorization URL, the code
// exchange); this provider is where it keeps things in between. Everything stays in
// memory until the login has succeeded: only then does the caller write the keychain, so
// a login abandoned half way leaves the earlier one working.

export interface LoginProviderInit {
  redirectUrl: string;
  state: string;
  /** An earlier registration to reuse; undefined registers a new client. */
  client: OAuthClientInformationMixed | undefined;
  /** From our own discovery (oauth-discovery.ts): auth() then does none of its own. */
  discovery: OAuthDiscoveryState;
  onAuthorizationUrl: (url: URL) => void;
}

export interface LoginProvider extends OAuthClientProvider {
  /** What the login got: the client it used (new or reused) and its tokens, once issued. */
  outcome(): { client: OAuthClientInformationMixed | undefined; tokens: OAuthTokens | undefined; discovery: OAuthDiscoveryState };
}

export function createLoginProvider(init: LoginProviderInit): LoginProvider {
  let client = init.client;
  let tokens: OAuthTokens | undefined;
  let verifier: string | undefined;
  let discovery = init.discovery;
  const metadata: OAuthClientMetadata = {
    client_name: 'MCP Firewall',
    redirect_uris: [init.redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // A native app cannot keep a secret (RFC 8252 §8.4); PKCE protects the code instead.
    token_endpoint_auth_method: 'none',
  };
  return {
    redirectUrl: init.redirectUrl,
    clientMetadata: metadata,
    state: () => init.state,
    clientInformation: () => client,
    saveClientInformation: (info) => void (client = info),
    // A login always asks the user: never a refresh of whatever an earlier login left.
    tokens: () => undefined,
    saveTokens: (issued) => void (tokens = issued),
    redirectToAuthorization: (url) => init.onAuthorizationUrl(url),
    saveCodeVerifier: (value) => void (verifier = value),
    codeVerifier: () => {
      if (verifier === undefined) throw new Error('no PKCE code verifier for this login');
      return verifier;
    },
    discoveryState: () => discovery,
    saveDiscoveryState: (state) => void (discovery = state),
    // The server no longer knows the client (say, it was reset): auth() registers anew.
    invalidateCredentials: (scope) => {
      if (scope === 'all' || scope === 'client') client = undefined;
      if (scope === 'all' || scope === 'tokens') tokens = undefined;
      if (scope === 'all' || scope === 'verifier') verifier = undefined;
    },
    outcome: () => ({ client, tokens, discovery }),
  };
}
