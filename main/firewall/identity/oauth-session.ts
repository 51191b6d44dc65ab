import { createAuditLog } from '../audit/audit-log.js';
import { createEngineStore } from '../engine-store.js';
import { pinnedRemote, remoteUrlProblem, type Registry, type RemotePin } from '../registry/registry.js';
import { createKeytarStore } from './keytar-store.js';
import { createOAuthCredentials, type OAuthCredentials } from './oauth-credentials.js';
import { createSecretIndex } from './secret-index.js';
import type { SecretStore } from './secret-store.js';

export interface OAuthSession {
  credentials: OAuthCredentials;
  /** The URL `/mcp/NAME` reaches: OAuth is only ever done against it. Throws with the fix when there is none. */
  pinOf(server: string): RemotePin;
  close(): void;
}

export class OAuthTargetError extends Error {}

/** The URL OAuth may be done against for `server`: its pin, or an OAuthTargetError saying how to pin one. */
export function oauthTargetOf(registry: Pick<Registry, 'get'>, server: string): RemotePin {
  const entry = registry.get(server);
  const pin = pinnedRemote(entry?.fingerprint ?? null);
  if (!pin) {
    const why = !entry ? 'is not in the approved registry' : 'is not registered with a URL';
    throw new OAuthTargetError(`'${server}' ${why}; OAuth is only for a remote server pinned with: mcp-firewall registry approve ${server} --url URL`);
  }
  const problem = remoteUrlProblem(pin.url);
  if (problem) throw new OAuthTargetError(`'${server}' is pinned to an unusable URL: ${problem}`);
  // Disabled (by hand, or by `contain`): a login now would put tokens back for a server the
  // firewall was told to stop; enabling it is the deliberate step that comes first.
  if (!entry!.enabled) throw new OAuthTargetError(`'${server}' is disabled; enable it before logging in: mcp-firewall registry enable ${server}`);
  return pin;
}

/**
 * For `auth` verbs, which run while the engine may or may not: the keychain directly, the
 * registry, secret index and audit in the engine's database (as `secrets` does).
 */
export function openOAuthSession(env: NodeJS.ProcessEnv, store: SecretStore = createKeytarStore(), fetchFn?: typeof fetch): OAuthSession {
  const engineStore = createEngineStore(env);
  return {
    credentials: createOAuthCredentials({ store, index: createSecretIndex(engineStore.db), audit: createAuditLog(engineStore.db), ...(fetchFn ? { fetch: fetchFn } : {}) }),
    pinOf: (server) => oauthTargetOf(engineStore.registry, server),
    close: () => engineStore.close(),
  };
}
