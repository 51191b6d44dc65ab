import { createAuditLog } from '../audit/audit-log.js';
import { createEngineStore } from '../engine-store.js';
import { pinnedRemote, remoteUrlProblem, type Registry, type RemotePin } from '../registry/registry.js';
import { resolveDataDir } from '../paths.js';
import { createCredentialsLock } from './credentials-lock.js';
import { createKeytarStore } from './keytar-store.js';
import { createOAuthCredentials, type OAuthCredentials } from './oauth-credentials.js';
import { OAuthLoginCancelled, type OAuthLoginResult } from './oauth-login.js';
import { createSecretIndex } from './secret-index.js';
import type { SecretStore } from './secret-store.js';
import { argWord } from '../shell-word.js';

export interface OAuthSession {
  credentials: OAuthCredentials;
  /** The URL `/mcp/NAME` reaches: OAuth is only ever done against it. Throws with the fix when there is none. */
  pinOf(server: string): RemotePin;
  /** Stores a finished login of `server`, done against `pin` (see storeLogin). */
  store(server: string, pin: RemotePin, result: OAuthLoginResult, actor: string): Promise<void>;
  close(): void;
}

export class OAuthTargetError extends Error {}

/** The URL OAuth may be done against for `server`: its pin, or an OAuthTargetError saying how to pin one. */
export function oauthTargetOf(registry: Pick<Registry, 'get'>, server: string): RemotePin {
  const entry = registry.get(server);
  const pin = pinnedRemote(entry?.fingerprint ?? null);
  if (!pin) {
    const why = !entry ? 'is not in the approved registry' : 'is not registered with a URL';
    throw new OAuthTargetError(`'${server}' ${why}; OAuth is only for a remote server pinned with: mcp-firewall registry approve --url URL ${argWord(server)}`);
  }
  const problem = remoteUrlProblem(pin.url);
  if (problem) throw new OAuthTargetError(`'${server}' is pinned to an unusable URL: ${problem}`);
  // Disabled (by hand, or by `contain`): a login now would put tokens back for a server the
  // firewall was told to stop; enabling it is the deliberate step that comes first.
  if (!entry!.enabled) throw new OAuthTargetError(`'${server}' is disabled; enable it before logging in: mcp-firewall registry enable ${argWord(server)}`);
  return pin;
}

/**
 * Stores a login that took minutes, only while `server` is still enabled and pinned to the
 * URL it was done against (and `signal`, a logout or containment in this process, has not
 * ended it): else its tokens belong to nothing the firewall would send them to, or come back
 * after a `contain`. Checked once more when stored: one that came while the keychain was being
 * written has what was written taken back (and revoked), not undone by it.
 */
export async function storeLogin(credentials: OAuthCredentials, registry: Pick<Registry, 'get'>, server: string, pin: RemotePin, result: OAuthLoginResult, actor: string, signal?: AbortSignal): Promise<void> {
  const stillFor = () => {
    if (signal?.aborted) throw signal.reason;
    const entry = registry.get(server);
    if (!entry?.enabled) throw new OAuthLoginCancelled(`'${server}' was disabled while its login was under way; nothing was stored`);
    const now = pinnedRemote(entry.fingerprint);
    if (!now || now.url !== pin.url || now.transport !== pin.transport) {
      throw new OAuthLoginCancelled(`'${server}' was pinned to another URL while its login was under way; nothing was stored: log in again`);
    }
  };
  stillFor();
  await credentials.save(server, result.secrets, result.authorizationServer, actor);
  try {
    stillFor();
  } catch (error) {
    await credentials.logout(server, actor);
    throw error;
  }
}

/**
 * For `auth` verbs, which run while the engine may or may not: the keychain directly, the
 * registry, secret index and audit in the engine's database (as `secrets` does).
 */
export function openOAuthSession(env: NodeJS.ProcessEnv, store: SecretStore = createKeytarStore(), fetchFn?: typeof fetch): OAuthSession {
  const engineStore = createEngineStore(env);
  const credentials = createOAuthCredentials({
    store,
    index: createSecretIndex(engineStore.db),
    audit: createAuditLog(engineStore.db),
    // The engine may be refreshing this login, or another terminal logging in: one writer at a time.
    lock: createCredentialsLock(resolveDataDir(env)),
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  return {
    credentials,
    pinOf: (server) => oauthTargetOf(engineStore.registry, server),
    store: (server, pin, result, actor) => storeLogin(credentials, engineStore.registry, server, pin, result, actor),
    close: () => engineStore.close(),
  };
}
