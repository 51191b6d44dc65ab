import { sameIssuer } from './oauth-discovery.js';
import { RefreshStopped } from './oauth-error-text.js';
import { guardedOAuthFetch, checkOAuthUrl } from './oauth-fetch.js';
import { refreshGrant } from './oauth-refresh-grant.js';
import { widerThanAsked } from './oauth-scope-split.js';
import { OAUTH_SECRETS, expiryOf, readOAuthSecrets, readStoredOAuth, tokenOf, tokenSecrets, type StoredOAuth, type TokenKind } from './oauth-secrets.js';
import type { SecretStore } from './secret-store.js';

// One refresh of one of a server's OAuth access tokens (grant_type=refresh_token, with the
// `resource` the login used; for the read-only token, narrowed to its scope), written back
// to the keychain so the next session starts with it. The refresh token goes to the token
// endpoint of the authorization server the login was done with, and nowhere else.

export interface RefreshDeps {
  server: string;
  store: SecretStore;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
}

export class NoRefreshTokenError extends Error {}

// A login has one refresh token for both its access tokens, and many servers rotate it
// (single use). So refreshes of a server run one at a time across every session of the
// engine, each starting from the refresh token the one before got; the same renewal asked
// for at once by several sessions is made once.
const inFlight = new Map<string, Promise<StoredOAuth>>();
const queues = new Map<string, Promise<void>>();
// A spent refresh token to the one that replaced it: a session that holds a spent one (the
// keychain unreadable, or a write-back failed) still refreshes with the newest.
const rotated = new Map<string, string>();
const MAX_ROTATIONS_KEPT = 1000;

export function refreshStoredOAuth(stored: StoredOAuth, deps: RefreshDeps, kind: TokenKind = 'write'): Promise<StoredOAuth> {
  const key = `${deps.server}\n${kind}\n${tokenOf(stored, kind) ?? ''}`;
  const shared = inFlight.get(key);
  if (shared) return shared;
  const running = (queues.get(deps.server) ?? Promise.resolve()).then(() => refresh(stored, kind, deps));
  const settled = running.then(
    () => {},
    () => {},
  );
  queues.set(deps.server, settled);
  inFlight.set(key, running);
  void settled.then(() => {
    inFlight.delete(key);
    if (queues.get(deps.server) === settled) queues.delete(deps.server);
  });
  return running;
}

const rotationKey = (server: string, token: string) => `${server}\n${token}`;

function newest(server: string, token: string): string {
  let current = token;
  for (let next = rotated.get(rotationKey(server, current)); next !== undefined && next !== current; next = rotated.get(rotationKey(server, current))) current = next;
  return current;
}

function remember(server: string, spent: string, issued: string | undefined): void {
  if (!issued || issued === spent) return;
  if (rotated.size >= MAX_ROTATIONS_KEPT) rotated.delete(rotated.keys().next().value!);
  rotated.set(rotationKey(server, spent), issued);
}

/** What the keychain holds now: undefined when it cannot be read, null when the login is gone. */
async function inKeychain(deps: RefreshDeps): Promise<StoredOAuth | null | undefined> {
  try {
    return readStoredOAuth(await readOAuthSecrets(deps.store, deps.server));
  } catch {
    return undefined; // unreachable: refresh with what this session holds
  }
}

/** Another session (or a new `auth login`) has already replaced what `stored` holds for `kind`. */
function replaced(stored: StoredOAuth, current: StoredOAuth, kind: TokenKind, now: number): boolean {
  if (current.client.client_id !== stored.client.client_id || current.readScope !== stored.readScope) return true;
  const token = tokenOf(current, kind);
  const expiry = expiryOf(current, kind);
  return token !== undefined && token !== tokenOf(stored, kind) && (expiry === undefined || expiry > now);
}

async function refresh(stored: StoredOAuth, kind: TokenKind, deps: RefreshDeps): Promise<StoredOAuth> {
  const { discovery, client } = stored;
  // auth() stamps the client with the server it registered with; never present it to another.
  if (typeof client.issuer === 'string' && !sameIssuer(client.issuer, discovery.authorizationServerUrl)) {
    throw new RefreshStopped(`the stored client belongs to ${client.issuer}, not ${discovery.authorizationServerUrl}`);
  }
  const now = deps.now ?? Date.now;
  const current = await inKeychain(deps);
  // `auth logout` or `contain` removed it: a session must not bring tokens back.
  if (current === null) throw new RefreshStopped('the login was removed from the keychain (auth logout or contain)');
  if (current && replaced(stored, current, kind, now())) return current;
  const base = current ?? stored;
  if (!base.refreshToken) throw new NoRefreshTokenError('no refresh token is stored');
  const refreshToken = newest(deps.server, base.refreshToken);
  const tokenEndpoint = checkOAuthUrl(discovery.authorizationServerMetadata?.token_endpoint ?? new URL('/token', discovery.authorizationServerUrl), 'the token endpoint');
  const scope = kind === 'read' ? base.readScope : undefined;
  const tokens = await refreshGrant({ discovery, client, refreshToken, ...(scope ? { scope } : {}), fetch: guardedOAuthFetch(new Set([tokenEndpoint.origin]), deps.fetch) });
  remember(deps.server, refreshToken, tokens.refresh_token);
  const rotatedTo = tokens.refresh_token ?? refreshToken;
  // Never hold a token wider than read-only as the read one; the login keeps its new refresh token all the same.
  const wider = scope !== undefined ? widerThanAsked(scope, tokens) : null;
  const secrets = wider ? { [OAUTH_SECRETS.refreshToken]: rotatedTo } : tokenSecrets(tokens, now(), kind);
  const what = kind === 'read' ? 'read-only access token' : 'access token';
  try {
    for (const [name, value] of Object.entries(secrets)) await deps.store.set({ server: deps.server, name }, value);
    if (!wider) deps.log?.(`oauth: refreshed the ${what} of '${deps.server}'`);
  } catch (error) {
    // This session goes on with the new token; the next one will need another refresh (or a login).
    deps.log?.(`oauth: refreshed the ${what} of '${deps.server}' but could not store it: ${(error as Error).message}`);
  }
  if (wider) throw new RefreshStopped(`${wider}; the read-only token was not renewed`);
  const access = `Bearer ${tokens.access_token}`;
  const expires = tokens.expires_in !== undefined ? now() + tokens.expires_in * 1000 : undefined;
  return kind === 'read'
    ? { ...base, refreshToken: rotatedTo, readAuthorization: access, readExpiresAt: expires }
    : { ...base, refreshToken: rotatedTo, authorization: access, expiresAt: expires };
}
