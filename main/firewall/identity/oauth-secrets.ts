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
} as const;

export const OAUTH_SECRET_NAMES: readonly string[] = Object.values(OAUTH_SECRETS);

const UNKNOWN_EXPIRY = 'unknown';

/** Kept in OAUTH_SERVER beside the discovery state: the pinned URL the login was for. */
export const LOGIN_URL = 'mcpFirewallLoginUrl';
/** Kept there too: the scope the login was granted (space-separated), for step-up's `--scope`. */
export const LOGIN_SCOPE = 'mcpFirewallScope';

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
  return {
    authorization: values[OAUTH_SECRETS.authorization],
    refreshToken: values[OAUTH_SECRETS.refreshToken],
    expiresAt: parseExpiry(values[OAUTH_SECRETS.expiresAt]),
    client,
    discovery,
    scope: stringField(discovery, LOGIN_SCOPE),
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
 * The secrets a token response becomes. Expiry is always written (`unknown` when not
 * given) so its name stays indexed: a refresh that learns one later has somewhere to put it.
 */
export function tokenSecrets(tokens: OAuthTokens, now: number): Record<string, string> {
  // The interposer sends `Bearer …` as is; a DPoP or MAC token would need proof it cannot give.
  if (tokens.token_type.toLowerCase() !== 'bearer') throw new Error(`the authorization server issued a '${tokens.token_type}' token; only Bearer tokens are supported`);
  const secrets: Record<string, string> = {
    [OAUTH_SECRETS.authorization]: `Bearer ${tokens.access_token}`,
    [OAUTH_SECRETS.expiresAt]: tokens.expires_in !== undefined ? new Date(now + tokens.expires_in * 1000).toISOString() : UNKNOWN_EXPIRY,
  };
  if (tokens.refresh_token) secrets[OAUTH_SECRETS.refreshToken] = tokens.refresh_token;
  return secrets;
}
