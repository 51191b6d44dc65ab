import type { OAuthLoginRow, OAuthLoginStarted, OAuthLogoutResult } from '../../../preload/contract.js';
import type { Engine } from '../engine.js';
import { createOAuthCredentials, type OAuthCredentials } from '../identity/oauth-credentials.js';
import { OAuthLoginCancelled, oauthLogin, oauthLoginFailure } from '../identity/oauth-login.js';
import { RedirectTimeoutError } from '../identity/oauth-redirect-listener.js';
import { createSecretIndex } from '../identity/secret-index.js';
import { pinnedRemote, type RemotePin } from '../registry/registry.js';
import { OAuthTargetError, oauthTargetOf, storeLogin } from '../identity/oauth-session.js';

// `mcp-firewall auth login|logout NAME`, run by the engine for the dashboard: the same
// flow (oauthLogin), the same keychain secrets and audit rows, only the actor differs.
// A login outlives the request that started it: the request returns as soon as the
// authorization URL is known, and the page polls oauthLogins() until the browser is back.

const DEFAULT_TIMEOUT_MS = 300_000;

export interface OAuthMethods {
  oauthLogins(): Promise<OAuthLoginRow[]>;
  startOAuthLogin(args: { name: string }): Promise<OAuthLoginStarted>;
  oauthLogout(args: { name: string }): Promise<OAuthLogoutResult>;
}

export interface OAuthMethodsOptions {
  /** How long the loopback listener waits for the browser (the CLI's --timeout default). */
  timeoutMs?: number;
  /** The flow itself; injected by unit tests only. */
  login?: typeof oauthLogin;
  fetch?: typeof fetch;
}

interface PendingLogin {
  view: { startedAt: string; authorizationUrl: string | null };
  /** Shared by a second click while the first is still discovering: one login per server. */
  started: Promise<OAuthLoginStarted>;
  /** Ends it (logout, containment, the server disabled): whatever it gets is not stored. */
  cancel(why: string): void;
}

function loginFailure(server: string, error: unknown): string {
  if (error instanceof RedirectTimeoutError) return `${error.message}; press Log in again to retry`;
  return oauthLoginFailure(server, error);
}

export function createOAuthMethods(engine: Engine, actor: string, inputError: (message: string) => Error, options: OAuthMethodsOptions = {}): OAuthMethods {
  const login = options.login ?? oauthLogin;
  const pending = new Map<string, PendingLogin>();
  const failures = new Map<string, string>();
  let credentials: OAuthCredentials | undefined;

  const keychain = (): OAuthCredentials => {
    if (!engine.secretStore) throw inputError('this engine runs without an OS keychain, so it cannot hold OAuth tokens; use `mcp-firewall auth login NAME` where a keychain is available');
    // The engine's own index and audit log: the rows land in the same chain as every other.
    return (credentials ??= createOAuthCredentials({ store: engine.secretStore, index: createSecretIndex(engine.db), audit: engine.audit, lock: engine.credentialsLock, ...(options.fetch ? { fetch: options.fetch } : {}) }));
  };

  // The same refusal as `auth login`: OAuth only ever against the pinned URL.
  const pinOf = (server: string): RemotePin => {
    try {
      return oauthTargetOf(engine.registry, server);
    } catch (error) {
      throw error instanceof OAuthTargetError ? inputError(error.message) : error;
    }
  };

  const start = (server: string, pin: RemotePin, store: OAuthCredentials): PendingLogin => {
    let shown!: (url: string) => void;
    const urlShown = new Promise<string>((resolve) => (shown = resolve));
    const view: PendingLogin['view'] = { startedAt: new Date().toISOString(), authorizationUrl: null };
    const controller = new AbortController();
    const finished = (async () => {
      const result = await login({
        server, pin, previous: await store.stored(server), timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        onAuthorizationUrl: (url) => {
          view.authorizationUrl = url.href;
          shown(url.href);
        },
        signal: controller.signal,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      // Logged out, contained or re-pinned meanwhile (the flow may not have noticed): nothing comes back.
      await storeLogin(store, engine.registry, server, pin, result, actor, controller.signal);
    })().then(
      () => null,
      (error: unknown) => loginFailure(server, error),
    );
    const entry: PendingLogin = {
      view,
      started: Promise.race([
        urlShown.then((authorizationUrl) => ({ authorizationUrl, opened: false })),
        finished.then((failure) => {
          throw inputError(failure ?? `OAuth login of '${server}' ended without an authorization URL`);
        }),
      ]),
      cancel: (why) => controller.abort(new OAuthLoginCancelled(`the login was cancelled: ${why}`)),
    };
    void finished.then((failure) => {
      // A login started after this one was cancelled is that one's own.
      if (pending.get(server) === entry) pending.delete(server);
      // Before the URL was shown the request that started it gets the error; after, only the status can.
      // A cancelled one: whoever cancelled it says what the row shows.
      if (failure && view.authorizationUrl && !controller.signal.aborted) failures.set(server, failure);
    });
    return entry;
  };

  /** The login under way for `server`, if any, ends and stores nothing. */
  const cancel = (server: string, why: string): void => {
    const running = pending.get(server);
    if (!running) return;
    pending.delete(server);
    running.cancel(why);
  };
  engine.onTokensRevoked((server) => cancel(server, "containment revoked the server's tokens"));
  engine.onServerRevoked((server) => cancel(server, 'the server was disabled'));

  return {
    async oauthLogins() {
      const remotes = engine.registry.list().flatMap((entry) => {
        const pin = pinnedRemote(entry.fingerprint);
        return pin ? [{ name: entry.name, pin }] : [];
      });
      // No remote server, nothing to say: a missing keychain matters only once there is one.
      if (remotes.length === 0) return [];
      const store = keychain();
      const rows: OAuthLoginRow[] = [];
      for (const { name, pin } of remotes) {
        const status = await store.status(name);
        const waiting = pending.get(name);
        rows.push({
          name, url: pin.url, loggedIn: status.loggedIn, expiresAt: status.expiresAt, expired: status.expired,
          refreshToken: status.refreshToken, authorizationServer: status.authorizationServer,
          readScope: status.readToken ? status.readScope : null, noSplit: status.loggedIn ? status.noSplit : null,
          readTokenMissing: status.loggedIn && status.readScope !== null && !status.readToken,
          pending: waiting ? { ...waiting.view } : null,
          lastError: failures.get(name) ?? null,
        });
      }
      return rows;
    },
    async startOAuthLogin({ name }) {
      const running = pending.get(name);
      if (running) return running.started;
      const store = keychain();
      const entry = start(name, pinOf(name), store);
      pending.set(name, entry);
      failures.delete(name);
      return entry.started;
    },
    async oauthLogout({ name }) {
      // First: a login finishing now must not bring back what this removes.
      cancel(name, 'logged out');
      const { removed, revocation } = await keychain().logout(name, actor);
      // Logged out either way; a server that did not revoke the tokens is said on the row.
      if (revocation && revocation.status !== 'revoked') failures.set(name, revocation.message);
      else failures.delete(name);
      return { removed, revocation: revocation ? { ...revocation } : null };
    },
  };
}
