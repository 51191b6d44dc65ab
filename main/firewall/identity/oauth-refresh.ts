import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CredentialsLock } from './credentials-lock.js';
import { foreignClient, sameIssuer } from './oauth-discovery.js';
import { RefreshStopped } from './oauth-error-text.js';
import { guardedOAuthFetch, checkOAuthUrl, timedOAuthFetch } from './oauth-fetch.js';
import { refreshGrant } from './oauth-refresh-grant.js';
import { revokeStoredOAuth } from './oauth-revoke.js';
import { notReadOnly } from './oauth-scope-split.js';
import { OAUTH_SECRETS, expiryOf, loginUrlOf, readOAuthSecrets, readStoredOAuth, tokenOf, tokenSecrets, type StoredOAuth, type TokenKind } from './oauth-secrets.js';
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
  /** Per token request (default OAUTH_REQUEST_TIMEOUT_MS); tests make it short. */
  timeoutMs?: number;
  /**
   * Held from the last look at the keychain to the write-back, against a login or logout
   * elsewhere (credentials-lock.ts). Required: a refresh that forgot it could put a token back
   * after a logout removed the login.
   */
  lock: CredentialsLock;
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
// A refresh token the authorization server refused for good, to the error it gave. Each
// interposer session refreshes for itself, so a dead one went to the token endpoint once
// per session, for as long as nobody ran `auth login`. Remembered by the token itself: a
// new login (or a rotation) brings another, which is tried. And by where it went and the
// scope it asked for (refusalKey): some authorization servers answer a scope they will not
// narrow to with invalid_grant, not invalid_scope, so a read-only refresh refused so must
// not stop the full one; and a token endpoint fixed since (a corrected issuer) is asked anew.
const refusedForGood = new Map<string, Error>();
const MAX_REFUSALS_KEPT = 1000;
/**
 * RFC 6749 §5.2 answers that asking again with the same refresh token and client cannot
 * change: the grant is expired, revoked or spent, or the client is no longer taken. Any
 * other (a timeout, server_error, temporarily_unavailable, a 5xx) may pass.
 */
const FOR_GOOD = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'unsupported_grant_type']);

/**
 * `granted` is called when this call's own refresh grant went through: not when it joined
 * one already under way, nor when it found the token another session had renewed in the
 * keychain. Each grant is then audited once, by the session that made it, however many
 * sessions of the server were refused the old token.
 */
export function refreshStoredOAuth(stored: StoredOAuth, deps: RefreshDeps, kind: TokenKind = 'write', granted?: () => void): Promise<StoredOAuth> {
  const key = `${deps.server}\n${kind}\n${tokenOf(stored, kind) ?? ''}`;
  const shared = inFlight.get(key);
  if (shared) return shared;
  const running = (queues.get(deps.server) ?? Promise.resolve()).then(() => refresh(stored, kind, deps, granted));
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

/** One refresh as a refusal is remembered by: the token, where it was sent, and the scope it asked for (none: the login's). */
interface RefreshAsked {
  server: string;
  tokenEndpoint: URL;
  scope: string | undefined;
  refreshToken: string;
}

const refusalKey = ({ server, tokenEndpoint, scope, refreshToken }: RefreshAsked) => `${server}\n${tokenEndpoint.href}\n${scope ?? ''}\n${refreshToken}`;

/** Sends the grant, unless the same refresh was refused for good before: then that refusal, at once. */
async function grantOnce(asked: RefreshAsked, send: () => Promise<OAuthTokens>): Promise<OAuthTokens> {
  const key = refusalKey(asked);
  const earlier = refusedForGood.get(key);
  if (earlier) throw earlier;
  try {
    return await send();
  } catch (error) {
    const code = (error as { errorCode?: unknown } | undefined)?.errorCode;
    if (typeof code === 'string' && FOR_GOOD.has(code)) {
      if (refusedForGood.size >= MAX_REFUSALS_KEPT) refusedForGood.delete(refusedForGood.keys().next().value!);
      refusedForGood.set(key, error as Error);
    }
    throw error;
  }
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
    return undefined; // unreachable: refresh with what this session holds, but write nothing back
  }
}

function sameAuthorizationServer(a: string, b: string): boolean {
  try {
    return sameIssuer(a, b);
  } catch {
    return false;
  }
}

/**
 * Why `current` (what the keychain holds) is not the login `stored` (what a session began
 * with) but another one: done for another URL (a re-pin, then `auth login`), with another
 * authorization server, or another client. Null when it is the same login. Another login's
 * tokens are never this session's: its URL may be one the session's is not.
 */
export function otherLogin(stored: StoredOAuth, current: StoredOAuth): string | null {
  if (loginUrlOf(current) !== loginUrlOf(stored)) return 'one done for another URL';
  if (!sameAuthorizationServer(current.discovery.authorizationServerUrl, stored.discovery.authorizationServerUrl)) return 'one with another authorization server';
  if (current.client.client_id !== stored.client.client_id) return 'one with another OAuth client';
  return null;
}

const anotherLogin = (server: string, which: string) =>
  `the keychain now holds another login of '${server}' (${which}: mcp-firewall auth login was run since this session began); this session does not use its tokens, a new session will`;

/** Another session (or a new `auth login` of the same URL and client) has already replaced what `stored` holds for `kind`. */
function replaced(stored: StoredOAuth, current: StoredOAuth, kind: TokenKind, now: number): boolean {
  if (current.readScope !== stored.readScope) return true;
  const token = tokenOf(current, kind);
  const expiry = expiryOf(current, kind);
  return token !== undefined && token !== tokenOf(stored, kind) && (expiry === undefined || expiry > now);
}

const REFRESH_TOKEN = OAUTH_SECRETS.refreshToken;

/** Never present the client to a server other than the one it registered with. */
function checkClientIssuer({ client, discovery }: StoredOAuth): void {
  const foreign = foreignClient(client, discovery.authorizationServerUrl);
  if (foreign) throw new RefreshStopped(foreign);
}

async function refresh(stored: StoredOAuth, kind: TokenKind, deps: RefreshDeps, granted?: () => void): Promise<StoredOAuth> {
  const now = deps.now ?? Date.now;
  checkClientIssuer(stored);
  const current = await inKeychain(deps);
  // `auth logout` or `contain` removed it: a session must not bring tokens back.
  if (current === null) throw new RefreshStopped('the login was removed from the keychain (auth logout or contain)');
  if (current) {
    const other = otherLogin(stored, current);
    if (other) throw new RefreshStopped(anotherLogin(deps.server, other));
    if (replaced(stored, current, kind, now())) return current;
  }
  // One login throughout: its authorization server, its client and its refresh token together.
  const base = current ?? stored;
  const { discovery, client } = base;
  checkClientIssuer(base);
  if (!base.refreshToken) throw new NoRefreshTokenError('no refresh token is stored');
  const refreshToken = newest(deps.server, base.refreshToken);
  const tokenEndpoint = checkOAuthUrl(discovery.authorizationServerMetadata?.token_endpoint ?? new URL('/token', discovery.authorizationServerUrl), 'the token endpoint');
  const scope = kind === 'read' ? base.readScope : undefined;
  const fetchFn = guardedOAuthFetch(new Set([tokenEndpoint.origin]), timedOAuthFetch(deps.fetch, deps.timeoutMs));
  const tokens = await grantOnce({ server: deps.server, tokenEndpoint, scope, refreshToken }, () => refreshGrant({ discovery, client, refreshToken, ...(scope ? { scope } : {}), fetch: fetchFn }));
  const issuedRefresh = tokens.refresh_token && tokens.refresh_token !== refreshToken ? tokens.refresh_token : undefined;
  const what = kind === 'read' ? 'read-only access token' : 'access token';

  // The grant took a while: the login may have been removed (logout, contain) or replaced
  // (a new login) meanwhile. Then what was just issued is nobody's: never written, revoked.
  // Checked and written under the credentials lock, so a logout or login in another process
  // cannot land between the check and the write (and be undone by it).
  const discarded = await deps.lock(`token refresh of '${deps.server}'`, async () => {
    const after = await inKeychain(deps);
    const gone =
      after === null
        ? `the login of '${deps.server}' was removed from the keychain while it was being refreshed (auth logout or contain)`
        : after && (otherLogin(base, after) ?? (after.refreshToken === undefined || newest(deps.server, after.refreshToken) !== refreshToken ? 'one with another refresh token' : null));
    if (gone) return { removed: after === null, gone };
    remember(deps.server, refreshToken, tokens.refresh_token);
    // Never written to a keychain that could not be read before or after: it was not known to still hold this login.
    const writable = current !== undefined && after !== undefined;
    if (!writable) deps.log?.(`oauth: refreshed the ${what} of '${deps.server}' but did not store it: the keychain could not be read`);
    const write = async (secrets: Record<string, string>): Promise<boolean> => {
      if (!writable) return false;
      try {
        for (const [name, value] of Object.entries(secrets)) await deps.store.set({ server: deps.server, name }, value);
        return true;
      } catch (error) {
        // This session goes on with the new token; the next one will need another refresh (or a login).
        deps.log?.(`oauth: refreshed the ${what} of '${deps.server}' but could not store it: ${(error as Error).message}`);
        return false;
      }
    };
    // The refresh token first, whatever becomes of the rest: a rotated one is the login's only way on.
    const keptRefresh = tokens.refresh_token ? await write({ [REFRESH_TOKEN]: tokens.refresh_token }) : true;

    // Never hold a token wider than read-only (or not known to be) as the read one; nor a token that is not Bearer.
    let refused = scope !== undefined ? notReadOnly(scope, tokens, base.authorization) : null;
    let secrets: Record<string, string> = {};
    if (!refused) {
      try {
        secrets = tokenSecrets(tokens, now(), kind);
      } catch (error) {
        refused = (error as Error).message; // ours (tokenSecrets repeats nothing of the server's)
      }
    }
    if (refused) throw new RefreshStopped(`${refused}; the ${kind === 'read' ? 'read-only token' : 'access token'} was not renewed`);
    const { [REFRESH_TOKEN]: _written, ...rest } = secrets;
    if (keptRefresh && (await write(rest))) deps.log?.(`oauth: refreshed the ${what} of '${deps.server}'`);
    return null;
  });
  if (discarded) {
    const revocation = await revokeStoredOAuth(deps.server, { ...base, authorization: `Bearer ${tokens.access_token}`, refreshToken: issuedRefresh, readAuthorization: undefined }, deps.fetch);
    deps.log?.(`oauth: a refresh of '${deps.server}' was discarded: ${discarded.removed ? 'the login was removed meanwhile' : 'another login replaced it meanwhile'}${revocation ? `; ${revocation.message}` : ''}`);
    throw new RefreshStopped(discarded.removed ? `${discarded.gone}; the tokens just issued were discarded` : anotherLogin(deps.server, discarded.gone));
  }
  granted?.();
  const rotatedTo = tokens.refresh_token ?? refreshToken;
  const access = `Bearer ${tokens.access_token}`;
  const expires = tokens.expires_in !== undefined ? now() + tokens.expires_in * 1000 : undefined;
  return kind === 'read'
    ? { ...base, refreshToken: rotatedTo, readAuthorization: access, readExpiresAt: expires }
    : { ...base, refreshToken: rotatedTo, authorization: access, expiresAt: expires };
}
