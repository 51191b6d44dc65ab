import { createAuditLog } from '../audit/audit-log.js';
import { createEngineStore } from '../engine-store.js';
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
  return {
    secrets: createSecrets({ store, index: createSecretIndex(engineStore.db), audit: createAuditLog(engineStore.db) }),
    close: () => engineStore.close(),
  };
}
