import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { SecretStore } from './secret-store.js';

// What `auth login` leaves in the keychain for a server: ordinary secrets of that server
// (one entry each, names in the secret index), so the interposer gets them at admission
// with the rest, `secrets list` shows them, and `contain` revokes them with the rest.

export const OAUTH_SECRETS = {
  /** `Bearer <access token>`: the credential the interposer already sends. */
  authorization: 'AUTHORIZATION',
  refreshToken: 'OAUTH_REFRESH_TOKEN',
  /** When the access token expires (ISO 8601), or `unknown` when the server did not say. */
  expiresAt: 'OAUTH_EXPIRES_AT',
  /** The client registered with the authorization server (RFC 7591), as JSON. */
  client: 'OAUTH_CLIENT',
  /** Where it is registered: authorization server, its metadata, the resource metadata (JSON). */
  server: 'OAUTH_SERVER',
  /**
   * `Bearer <access token>` narrowed to the login's read-only scopes (DESIGN §6), when its
   * scopes allowed a split: the interposer's read credential. The login owns this name.
   */
  readAuthorization: 'AUTHORIZATION_READ',
  /** When that one expires, as OAUTH_EXPIRES_AT. */
  readExpiresAt: 'OAUTH_READ_EXPIRES_AT',
} as const;

export const OAUTH_SECRET_NAMES: readonly string[] = Object.values(OAUTH_SECRETS);

/**
 * A server's secrets for a local launch. An `auth login`'s tokens (the login's client, its
 * refresh token, the access tokens) were obtained for the server's URL and go only to it,
 * through the interposer: a server re-pinned from that URL to a local command must not find
 * them in its environment. An AUTHORIZATION set by hand, with no login, stays.
 */
export function withoutLoginTokens(env: Record<string, string>): Record<string, string> {
  if (env[OAUTH_SECRETS.client] === undefined && env[OAUTH_SECRETS.server] === undefined) return env;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !OAUTH_SECRET_NAMES.includes(name)));
}

const UNKNOWN_EXPIRY = 'unknown';

/** Kept in OAUTH_SERVER beside the discovery state: the pinned URL the login was for. */
export const LOGIN_URL = 'mcpFirewallLoginUrl';
/** Kept there too: the scope the login was granted (space-separated), for step-up's `--scope`. */
export const LOGIN_SCOPE = 'mcpFirewallScope';
/** Kept there too when the login split: the scope AUTHORIZATION_READ is narrowed to. */
export const LOGIN_READ_SCOPE = 'mcpFirewallReadScope';
/** Kept there too when it did not: why (for `auth status`). */
export const LOGIN_NO_SPLIT = 'mcpFirewallNoSplit';

/** Which of a login's access tokens: the full one (AUTHORIZATION) or the read-only one. */
export type TokenKind = 'write' | 'read';

/**
 * Whether the OAuth tokens among `values` may be sent to `url`: yes when there is no OAuth
 * login (a static AUTHORIZATION is the person's own choice), else only to the URL they were
 * obtained for. A server re-pinned to another URL (`registry approve NAME --url`) does not
 * inherit them — the new URL could be anyone's — until `auth login` is run for it.
 */
export function oauthTokensFit(values: Readonly<Record<string, string | undefined>>, url: string): boolean {
  if (values[OAUTH_SECRETS.server] === undefined) return true;
  return parseJson<Record<string, unknown>>(values[OAUTH_SECRETS.server])?.[LOGIN_URL] === url;
}

/** Whether the login split its tokens by scope (AUTHORIZATION_READ is its own), usable now or not. */
export function loginSplits(values: Readonly<Record<string, string | undefined>>): boolean {
  return typeof parseJson<Record<string, unknown>>(values[OAUTH_SECRETS.server])?.[LOGIN_READ_SCOPE] === 'string';
}

/** The pinned URL a stored login was done for (OAUTH_SERVER's LOGIN_URL); undefined for one from before it was kept. */
export function loginUrlOf(stored: StoredOAuth): string | undefined {
  const url = (stored.discovery as unknown as Record<string, unknown>)[LOGIN_URL];
  return typeof url === 'string' ? url : undefined;
}

/** A server's OAuth state as read back from its secrets. */
export interface StoredOAuth {
  authorization: string | undefined;
  refreshToken: string | undefined;
  /** Epoch ms; undefined when the authorization server did not say. */
  expiresAt: number | undefined;
  client: OAuthClientInformationMixed;
  discovery: OAuthDiscoveryState;
  /** The scope the login was granted; undefined when unknown (a login from before it was kept). */
  scope: string | undefined;
  /** The read-only token's scope when the login split (DESIGN §6); undefined when it did not. */
  readScope: string | undefined;
  /** Why it did not split, as the login said. */
  noSplit: string | undefined;
  /** AUTHORIZATION_READ, only when the login split: one set by hand is not the login's to refresh or revoke. */
  readAuthorization: string | undefined;
  readExpiresAt: number | undefined;
}

/** The access token of `kind`. Without a split there is one token, and it is also the read one. */
export function tokenOf(stored: StoredOAuth, kind: TokenKind): string | undefined {
  return kind === 'read' && stored.readScope !== undefined ? stored.readAuthorization : stored.authorization;
}

export function expiryOf(stored: StoredOAuth, kind: TokenKind): number | undefined {
  return kind === 'read' && stored.readScope !== undefined ? stored.readExpiresAt : stored.expiresAt;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function stringField(object: object, key: string): string | undefined {
  const value = (object as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function parseExpiry(text: string | undefined): number | undefined {
  const at = text === undefined || text === UNKNOWN_EXPIRY ? NaN : Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

/** null when the server was never logged in with `auth login` (no registered client). */
export function readStoredOAuth(values: Readonly<Record<string, string | undefined>>): StoredOAuth | null {
  const client = parseJson<OAuthClientInformationMixed>(values[OAUTH_SECRETS.client]);
  const discovery = parseJson<OAuthDiscoveryState>(values[OAUTH_SECRETS.server]);
  if (!client?.client_id || typeof discovery?.authorizationServerUrl !== 'string') return null;
  const readScope = stringField(discovery, LOGIN_READ_SCOPE);
  return {
    authorization: values[OAUTH_SECRETS.authorization],
    refreshToken: values[OAUTH_SECRETS.refreshToken],
    expiresAt: parseExpiry(values[OAUTH_SECRETS.expiresAt]),
    client,
    discovery,
    scope: stringField(discovery, LOGIN_SCOPE),
    readScope,
    noSplit: stringField(discovery, LOGIN_NO_SPLIT),
    readAuthorization: readScope !== undefined ? values[OAUTH_SECRETS.readAuthorization] : undefined,
    readExpiresAt: readScope !== undefined ? parseExpiry(values[OAUTH_SECRETS.readExpiresAt]) : undefined,
  };
}

/** Reads every OAuth secret of `server` from the keychain (absent ones are left out). */
export async function readOAuthSecrets(store: SecretStore, server: string): Promise<Record<string, string>> {
  const values = await Promise.all(OAUTH_SECRET_NAMES.map((name) => store.get({ server, name })));
  const found: Record<string, string> = {};
  OAUTH_SECRET_NAMES.forEach((name, i) => {
    if (values[i] !== null && values[i] !== undefined) found[name] = values[i]!;
  });
  return found;
}

/**
 * The secrets a token response becomes: AUTHORIZATION and OAUTH_EXPIRES_AT, or for the
 * read-only token AUTHORIZATION_READ and OAUTH_READ_EXPIRES_AT; and the refresh token when
 * one was issued (the login has one, whichever token it came with). Expiry is always
 * written (`unknown` when not given) so its name stays indexed: a refresh that learns one
 * later has somewhere to put it.
 */
export function tokenSecrets(tokens: OAuthTokens, now: number, kind: TokenKind = 'write'): Record<string, string> {
  // The interposer sends `Bearer …` as is; a DPoP or MAC token would need proof it cannot give.
  // The type is the server's own text: not repeated (it reaches status and the audit).
  if (tokens.token_type.toLowerCase() !== 'bearer') throw new Error('the authorization server issued a token that is not a Bearer token; only Bearer tokens are supported');
  const [token, expiry] = kind === 'read' ? [OAUTH_SECRETS.readAuthorization, OAUTH_SECRETS.readExpiresAt] : [OAUTH_SECRETS.authorization, OAUTH_SECRETS.expiresAt];
  const secrets: Record<string, string> = {
    [token]: `Bearer ${tokens.access_token}`,
    [expiry]: tokens.expires_in !== undefined ? new Date(now + tokens.expires_in * 1000).toISOString() : UNKNOWN_EXPIRY,
  };
  if (tokens.refresh_token) secrets[OAUTH_SECRETS.refreshToken] = tokens.refresh_token;
  return secrets;
}
