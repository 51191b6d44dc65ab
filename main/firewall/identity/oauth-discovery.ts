import { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { RemotePin } from '../registry/registry.js';
import { checkOAuthUrl, guardedOAuthFetch, OAuthOriginError } from './oauth-fetch.js';
import { shownUrl } from '../shown-url.js';
import { argWord } from '../shell-word.js';

// Who may issue tokens for a pinned server, found the way the MCP authorization spec
// says: the server's 401 challenge points at its protected resource metadata (RFC 9728),
// which names the authorization server, whose own metadata (RFC 8414) names its
// endpoints. Done here, step by step, rather than inside the SDK's auth(): each document
// widens what the OAuth fetch may reach only after it has been read from an origin
// already trusted, and the result is handed to auth() as its discovery state.

export interface DiscoveredOAuth {
  state: OAuthDiscoveryState;
  /** The scope the server's challenge asked for, if it named one. */
  scope: string | undefined;
  /** Every origin OAuth may talk to from here on. */
  origins: Set<string>;
}

const PROBE_INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-firewall', version: '1' } } };

/** What the server says when asked without a token: where its metadata is, which scope it wants. */
async function probe(pin: RemotePin, guarded: typeof fetch): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  const init: RequestInit =
    pin.transport === 'sse'
      ? { method: 'GET', headers: { accept: 'text/event-stream' } }
      : { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(PROBE_INITIALIZE) };
  const response = await guarded(pin.url, { ...init, signal: AbortSignal.timeout(15_000) });
  await response.body?.cancel();
  // Anything but a challenge (a server that lets initialize through): the well-known places still apply.
  if (response.status !== 401) return {};
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
  return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
}

/** Two spellings of one authorization server (a trailing slash aside). */
/**
 * Why a stored client must not be presented to `issuer`, or undefined when it may be:
 * auth() stamps a registered client with the server it registered with.
 */
export function foreignClient(client: { issuer?: unknown }, issuer: string): string | undefined {
  if (typeof client.issuer !== 'string' || sameIssuer(client.issuer, issuer)) return undefined;
  return `the stored client belongs to ${shownUrl(client.issuer)}, not ${shownUrl(issuer)}`;
}

export function sameIssuer(a: string, b: string): boolean {
  const strip = (value: string) => new URL(value).href.replace(/\/$/, '');
  return strip(a) === strip(b);
}

export async function discoverOAuth(server: string, pin: RemotePin, base: typeof fetch = fetch): Promise<DiscoveredOAuth> {
  const pinned = checkOAuthUrl(pin.url, `the pinned URL of '${server}'`);
  const origins = new Set([pinned.origin]);
  const guarded = guardedOAuthFetch(origins, base);
  const challenge = await probe(pin, guarded);

  let resourceMetadata: OAuthProtectedResourceMetadata | undefined;
  try {
    resourceMetadata = await discoverOAuthProtectedResourceMetadata(pin.url, challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {}, guarded);
  } catch (error) {
    if (error instanceof OAuthOriginError) throw error;
    // No RFC 9728 metadata: the spec's earlier rule takes the server's own origin as its authorization server.
  }
  const authorizationServerUrl = resourceMetadata?.authorization_servers?.[0] ?? new URL('/', pinned).href;
  origins.add(checkOAuthUrl(authorizationServerUrl, `the authorization server named by '${server}'`).origin);

  const metadata = await discoverAuthorizationServerMetadata(authorizationServerUrl, { fetchFn: guarded });
  if (!resourceMetadata && !metadata) {
    throw new Error(`remote server '${server}' at ${shownUrl(pin.url)} publishes no OAuth metadata (neither RFC 9728 nor RFC 8414); if it takes a static token, store it with: mcp-firewall secrets set ${argWord(server)} AUTHORIZATION`);
  }
  if (metadata) {
    // RFC 8414 §3.3: metadata for another issuer must not be used (mix-up attacks).
    if (!sameIssuer(metadata.issuer, authorizationServerUrl)) {
      throw new OAuthOriginError(`refused: the metadata at ${shownUrl(authorizationServerUrl)} names another issuer (${shownUrl(metadata.issuer)})`);
    }
    checkOAuthUrl(metadata.authorization_endpoint, 'the authorization endpoint');
    // The endpoints the authorization server names for itself may sit on another host of its own.
    for (const endpoint of [metadata.token_endpoint, metadata.registration_endpoint]) {
      if (endpoint) origins.add(checkOAuthUrl(endpoint, 'an endpoint of the authorization server').origin);
    }
  }
  return {
    state: {
      authorizationServerUrl,
      ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl.href } : {}),
      ...(resourceMetadata ? { resourceMetadata } : {}),
      ...(metadata ? { authorizationServerMetadata: metadata } : {}),
    },
    scope: challenge.scope,
    origins,
  };
}
