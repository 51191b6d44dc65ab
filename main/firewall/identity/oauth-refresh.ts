import { refreshAuthorization } from '@modelcontextprotocol/sdk/client/auth.js';
import { sameIssuer } from './oauth-discovery.js';
import { guardedOAuthFetch, checkOAuthUrl } from './oauth-fetch.js';
import { OAUTH_SECRETS, readOAuthSecrets, readStoredOAuth, tokenSecrets, type StoredOAuth } from './oauth-secrets.js';
import type { SecretStore } from './secret-store.js';

// One refresh of a server's OAuth tokens (grant_type=refresh_token, with the `resource`
// the login used), written back to the keychain so the next session starts with them.
// The refresh token goes to the token endpoint of the authorization server the login
// was done with, and nowhere else.

export interface RefreshDeps {
  server: string;
  store: SecretStore;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

export class NoRefreshTokenError extends Error {}

// Sessions of one server share a refresh: with rotating refresh tokens, a second
// refresh with the same token would fail and log everyone out.
const inFlight = new Map<string, Promise<StoredOAuth>>();

export function refreshStoredOAuth(stored: StoredOAuth, deps: RefreshDeps): Promise<StoredOAuth> {
  const key = `${deps.server}\n${stored.refreshToken ?? ''}`;
  let running = inFlight.get(key);
  if (!running) {
    running = refresh(stored, deps).finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return running;
}

/** What the keychain holds now, when another session (or a new `auth login`) has already replaced `stored`. */
async function newerInKeychain(stored: StoredOAuth, deps: RefreshDeps): Promise<StoredOAuth | null> {
  try {
    const current = readStoredOAuth(await readOAuthSecrets(deps.store, deps.server));
    const now = (deps.now ?? Date.now)();
    const fresh = current?.expiresAt === undefined || current.expiresAt > now;
    return current?.authorization && current.authorization !== stored.authorization && fresh ? current : null;
  } catch {
    return null; // the keychain unreachable: refresh with what this session holds
  }
}

async function refresh(stored: StoredOAuth, deps: RefreshDeps): Promise<StoredOAuth> {
  const newer = await newerInKeychain(stored, deps);
  if (newer) return newer;
  if (!stored.refreshToken) throw new NoRefreshTokenError('no refresh token is stored');
  const { discovery, client } = stored;
  // auth() stamps the client with the server it registered with; never present it to another.
  if (typeof client.issuer === 'string' && !sameIssuer(client.issuer, discovery.authorizationServerUrl)) {
    throw new Error(`the stored client belongs to ${client.issuer}, not ${discovery.authorizationServerUrl}`);
  }
  const metadata = discovery.authorizationServerMetadata;
  const tokenEndpoint = checkOAuthUrl(metadata?.token_endpoint ?? new URL('/token', discovery.authorizationServerUrl), 'the token endpoint');
  const tokens = await refreshAuthorization(discovery.authorizationServerUrl, {
    ...(metadata ? { metadata } : {}),
    clientInformation: client,
    refreshToken: stored.refreshToken,
    // Verbatim, as the login sent it (RFC 8707): a re-serialised URL may gain a slash the server rejects.
    ...(discovery.resourceMetadata ? { resource: discovery.resourceMetadata.resource } : {}),
    fetchFn: guardedOAuthFetch(new Set([tokenEndpoint.origin]), deps.fetch),
  });
  const secrets = tokenSecrets(tokens, (deps.now ?? Date.now)());
  try {
    for (const [name, value] of Object.entries(secrets)) await deps.store.set({ server: deps.server, name }, value);
    deps.log?.(`oauth: refreshed the access token of '${deps.server}'`);
  } catch (error) {
    // This session goes on with the new token; the next one will need another refresh (or a login).
    deps.log?.(`oauth: refreshed the access token of '${deps.server}' but could not store it: ${(error as Error).message}`);
  }
  const refreshed = readStoredOAuth({ ...secrets, [OAUTH_SECRETS.client]: JSON.stringify(client), [OAUTH_SECRETS.server]: JSON.stringify(discovery) });
  if (!refreshed) throw new Error('the refreshed tokens could not be read back');
  return refreshed;
}
