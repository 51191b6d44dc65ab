import type { AuditLog } from '../audit/audit-log.js';
import type { CredentialsLock } from './credentials-lock.js';
import { revokeAndAudit } from './oauth-credentials.js';
import type { RevocationOutcome } from './oauth-revoke.js';
import { readOAuthSecrets, readStoredOAuth, type StoredOAuth } from './oauth-secrets.js';
import type { SecretStore } from './secret-store.js';
import type { Secrets } from './secrets.js';

// `contain NAME` (POST /api/tokens/revoke): every credential the firewall holds for the
// server leaves the keychain and, when one is an OAuth login, its tokens are revoked at
// the authorization server too (RFC 7009) — a token copied before containment is then
// worthless as well, when the server supports revocation.

export interface TokenRevocation {
  /** The secret names removed from the keychain. */
  revoked: string[];
  /** What the authorization server said; null when no OAuth token was held. */
  authorizationServer: RevocationOutcome | null;
  /** Set when the keychain could not be listed: credentials outside the index may remain. */
  keychainError?: string;
}

export interface RevokeHeldDeps {
  secrets: Secrets;
  store: SecretStore;
  audit?: Pick<AuditLog, 'append'>;
  fetch?: typeof fetch;
  /** Held while the credentials are removed, so a login or refresh elsewhere cannot put some back meanwhile. */
  lock: CredentialsLock;
}

const ACTOR = 'containment';

export async function revokeHeldCredentials(audience: string, deps: RevokeHeldDeps): Promise<TokenRevocation> {
  // What is held is read under the same lock as its removal: a login saved by another
  // process between the two would otherwise stay in the keychain, its tokens never revoked.
  let stored: StoredOAuth | null = null;
  let listing: Awaited<ReturnType<Secrets['list']>> | undefined;
  let held: Array<{ server: string; name: string }> = [];
  let authorizationServer: RevocationOutcome | null = null;
  try {
    await deps.lock(`containment of '${audience}'`, async () => {
      // Read before anything is removed: the tokens and where to revoke them are among what goes.
      try {
        stored = readStoredOAuth(await readOAuthSecrets(deps.store, audience));
      } catch {
        // The keychain unreachable: listing below fails the same way and says so.
      }
      listing = await deps.secrets.list(audience);
      held = listing.entries.filter((e) => e.server === audience);
      for (const entry of held) await deps.secrets.remove({ server: audience, name: entry.name }, ACTOR);
    });
  } finally {
    // Local removal first, whatever the server says; revoked there even if the keychain failed us.
    authorizationServer = await revokeAndAudit(audience, stored, ACTOR, deps.audit, deps.fetch);
  }
  const revoked = held.map((e) => e.name);
  // A keychain that could not be listed (locked, its client crashed or timed out) may still
  // hold credentials the index does not name: said with the answer, never read as "none held".
  const keychainError = listing?.keychainError;
  return keychainError === undefined ? { revoked, authorizationServer } : { revoked, authorizationServer, keychainError };
}
