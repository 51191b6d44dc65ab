import { createAuditLog } from '../audit/audit-log.js';
import { createEngineStore } from '../engine-store.js';
import { resolveDataDir } from '../paths.js';
import { createCredentialsLock, type CredentialsLock } from './credentials-lock.js';
import { createKeytarStore } from './keytar-store.js';
import { createSecretIndex } from './secret-index.js';
import type { SecretStore } from './secret-store.js';
import { createSecrets, type Secrets } from './secrets.js';

export interface SecretsSession {
  secrets: Secrets;
  close(): void;
}

/**
 * For CLI verbs that change secrets while the engine may or may not run: the keychain
 * directly, the index and the audit in the engine's database. The engine reads the
 * index at every spawn, so the next start sees the change without a round trip.
 */
export function openSecretsSession(env: NodeJS.ProcessEnv, store: SecretStore = createKeytarStore()): SecretsSession {
  const engineStore = createEngineStore(env);
  const secrets = createSecrets({ store, index: createSecretIndex(engineStore.db), audit: createAuditLog(engineStore.db) });
  return {
    secrets: withWritesLocked(secrets, createCredentialsLock(resolveDataDir(env))),
    close: () => engineStore.close(),
  };
}

/**
 * `secrets set SERVER AUTHORIZATION` writes a name an OAuth login writes too, and `secrets rm`
 * removes what `contain` is removing: unlocked, a set racing a login or a containment could
 * leave a static token beside (or after) theirs. So they take the data dir's credentials
 * lock, as every other writer of credentials does.
 */
function withWritesLocked(secrets: Secrets, lock: CredentialsLock): Secrets {
  return {
    ...secrets,
    set: (ref, value, actor) => lock(`secrets set ${ref.server} ${ref.name}`, () => secrets.set(ref, value, actor)),
    adopt: (ref, value, actor) => lock(`secret ${ref.server} ${ref.name} moved into the keychain`, () => secrets.adopt(ref, value, actor)),
    remove: (ref, actor) => lock(`secrets rm ${ref.server} ${ref.name}`, () => secrets.remove(ref, actor)),
  };
}
