import type { AuditLog } from '../audit/audit-log.js';
import type { CredentialsLock } from './credentials-lock.js';
import type { SecretIndex } from './secret-index.js';
import type { SecretStore } from './secret-store.js';
import { REVOCATION_DECISIONS, revokeStoredOAuth, type RevocationOutcome } from './oauth-revoke.js';
import { OAUTH_SECRET_NAMES, OAUTH_SECRETS, readOAuthSecrets, readStoredOAuth, type StoredOAuth } from './oauth-secrets.js';

// A server's OAuth login as a whole: stored, shown and removed together, with one audit
// row per login or logout (names and the authorization server only, never a value), and
// one for what the authorization server said when asked to revoke the tokens.

export interface OAuthStatus {
  server: string;
  /** `auth login` left a registered client and an access token. */
  loggedIn: boolean;
  accessToken: boolean;
  /** ISO 8601, or null when unknown. */
  expiresAt: string | null;
  expired: boolean | null;
  refreshToken: boolean;
  authorizationServer: string | null;
  /** A read-only access token (AUTHORIZATION_READ) is held beside the full one (DESIGN §6). */
  readToken: boolean;
  /** The scope it is narrowed to; null without a split. */
  readScope: string | null;
  /** ISO 8601, or null when unknown or without a split. */
  readExpiresAt: string | null;
  /** Why the login holds one token for everything; null when it split (or for a login from before this was kept). */
  noSplit: string | null;
}

export interface OAuthCredentials {
  /** What an earlier login left, or null. */
  stored(server: string): Promise<StoredOAuth | null>;
  /** Replaces every OAuth secret of `server` with `secrets` (those not given are removed). */
  save(server: string, secrets: Record<string, string>, authorizationServer: string, actor: string): Promise<void>;
  status(server: string): Promise<OAuthStatus>;
  /**
   * Removes the login (AUTHORIZATION included) and asks the authorization server to revoke
   * its tokens (RFC 7009). The names removed (none when there was no login) and what the
   * server said (null when no token was held).
   */
  logout(server: string, actor: string): Promise<OAuthLogout>;
}

export interface OAuthLogout {
  removed: string[];
  revocation: RevocationOutcome | null;
}

/** Revokes `stored`'s tokens at its authorization server and audits what it said (event `secret`, rule `oauth`): never a token. */
export async function revokeAndAudit(server: string, stored: StoredOAuth | null, actor: string, audit: Pick<AuditLog, 'append'> | undefined, fetchFn?: typeof fetch): Promise<RevocationOutcome | null> {
  const outcome = stored ? await revokeStoredOAuth(server, stored, fetchFn) : null;
  if (outcome) audit?.append({ event: 'secret', decision: REVOCATION_DECISIONS[outcome.status], actorId: actor, serverName: server, ruleId: 'oauth', reason: outcome.message });
  return outcome;
}

/** The read/write split of a login, in a few words (scopes are names, never a token). */
function splitNote(stored: StoredOAuth | null): string {
  if (stored?.readScope !== undefined) return `reads carry a read-only token (${stored.readScope})`;
  return `one token for reads and writes${stored?.noSplit ? `: ${stored.noSplit}` : ''}`;
}

export interface OAuthCredentialsDeps {
  store: SecretStore;
  index: SecretIndex;
  audit?: Pick<AuditLog, 'append'>;
  now?: () => number;
  /** For the revocation request (tests point it anywhere; the guard still applies). */
  fetch?: typeof fetch;
  /** Held while a login is written or removed, against other processes doing the same (credentials-lock.ts). */
  lock: CredentialsLock;
}

export function createOAuthCredentials({ store, index, audit, now = Date.now, fetch: fetchFn, lock }: OAuthCredentialsDeps): OAuthCredentials {
  const record = (decision: string, server: string, actor: string, reason: string) =>
    audit?.append({ event: 'secret', decision, actorId: actor, serverName: server, ruleId: 'oauth', reason });

  const remove = async (server: string, names: readonly string[]) => {
    for (const name of names) {
      await store.delete({ server, name });
      index.remove({ server, name });
    }
  };

  return {
    stored: async (server) => readStoredOAuth(await readOAuthSecrets(store, server)),
    save: (server, secrets, authorizationServer, actor) =>
      lock(`login of '${server}'`, async () => {
        const names = Object.keys(secrets).sort();
        // Keychain first, as `secrets set` does: an indexed name without a value gets the server refused.
        for (const name of names) {
          await store.set({ server, name }, secrets[name]!);
          index.add({ server, name });
        }
        // A refresh token (or expiry) of an earlier login that this one did not replace.
        await remove(server, OAUTH_SECRET_NAMES.filter((name) => !(name in secrets)));
        record('OAUTH_LOGIN', server, actor, `OAuth login of '${server}' with ${authorizationServer}: ${names.join(', ')} stored in the OS keychain; ${splitNote(readStoredOAuth(secrets))}`);
      }),
    async status(server) {
      const values = await readOAuthSecrets(store, server);
      const stored = readStoredOAuth(values);
      const expiresAt = stored?.expiresAt;
      return {
        server,
        loggedIn: stored !== null && stored.authorization !== undefined,
        accessToken: values[OAUTH_SECRETS.authorization] !== undefined,
        expiresAt: expiresAt !== undefined ? new Date(expiresAt).toISOString() : null,
        expired: expiresAt !== undefined ? expiresAt <= now() : null,
        refreshToken: values[OAUTH_SECRETS.refreshToken] !== undefined,
        authorizationServer: stored?.discovery.authorizationServerUrl ?? null,
        readToken: stored?.readAuthorization !== undefined,
        readScope: stored?.readScope ?? null,
        readExpiresAt: stored?.readExpiresAt !== undefined ? new Date(stored.readExpiresAt).toISOString() : null,
        noSplit: stored?.noSplit ?? null,
      };
    },
    async logout(server, actor) {
      // Read and removed under the lock, so a login stored meanwhile is either all gone or all
      // kept; the authorization server is asked after, however long it takes to answer.
      let values: Record<string, string> = {};
      let removed: string[] = [];
      let removal: unknown = null;
      await lock(`logout of '${server}'`, async () => {
        values = await readOAuthSecrets(store, server);
        const indexed = new Set(index.names(server));
        const loggedIn = [OAUTH_SECRETS.client, OAUTH_SECRETS.server].some((name) => name in values || indexed.has(name));
        // A static AUTHORIZATION set by hand is not ours to remove here (`secrets rm` is).
        if (!loggedIn) return;
        removed = OAUTH_SECRET_NAMES.filter((name) => name in values || indexed.has(name));
        try {
          await remove(server, OAUTH_SECRET_NAMES);
          record('OAUTH_LOGOUT', server, actor, `OAuth login of '${server}' removed from the OS keychain: ${removed.join(', ')}`);
        } catch (error) {
          removal = error ?? new Error('the keychain failed');
        }
      });
      if (removed.length === 0) return { removed, revocation: null };
      // Removed here first, whatever the authorization server will say (or however long it
      // takes); and revoked there even when the keychain failed us (the error still goes up).
      const revocation = await revokeAndAudit(server, readStoredOAuth(values), actor, audit, fetchFn);
      if (removal !== null) throw removal;
      return { removed, revocation };
    },
  };
}
