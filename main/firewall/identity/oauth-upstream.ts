import { NoRefreshTokenError, refreshStoredOAuth } from './oauth-refresh.js';
import { readStoredOAuth, type StoredOAuth } from './oauth-secrets.js';
import { insufficientScope, stepUpFailure } from './oauth-step-up.js';
import type { SecretStore } from './secret-store.js';

// The OAuth side of one interposer session, for the upstream adapters: which access token
// to send, and what to do when it has expired or the server refuses it (401): refresh once,
// then retry once. The adapters only call sendWithOAuth (through http/upstream-shell.ts).

export interface UpstreamOAuth {
  /** The access credential (`Bearer …`) as it stands; it changes when a refresh succeeds. */
  readonly authorization: string | undefined;
  /** Before sending it: refreshed first when it has expired. Sent as it is when that fails (the 401 then says why). */
  beforeSend(): Promise<string | undefined>;
  /** The server refused `sent`: the credential to retry with, or why there is none (naming `auth login`). */
  afterRefusal(sent: string): Promise<{ authorization: string } | { failure: string }>;
  /** The server wants more scope than the token has (403 insufficient_scope): the `auth login --scope` that gets it (audited). */
  needsScope(asked: string | undefined): string;
}

export interface UpstreamOAuthOptions {
  server: string;
  /** The server's secrets from its admission (the keychain, read once per session). */
  secrets: Readonly<Record<string, string | undefined>>;
  store: SecretStore;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
  /** A refresh happened or failed: a security event the audit keeps (the token never goes there). */
  audit?: (decision: 'OAUTH_REFRESH' | 'OAUTH_REFRESH_FAILED' | 'OAUTH_INSUFFICIENT_SCOPE', reason: string) => void;
}

/** Refresh a little before the server would refuse: clocks differ, requests take time. */
const EXPIRY_MARGIN_MS = 30_000;

/** undefined when the server was not logged in with `auth login`: its credential is then static. */
export function upstreamOAuth(options: UpstreamOAuthOptions): UpstreamOAuth | undefined {
  const initial = readStoredOAuth(options.secrets);
  if (!initial) return undefined;
  let stored: StoredOAuth = initial;
  const now = options.now ?? Date.now;
  const login = `mcp-firewall auth login ${options.server}`;
  // One refresh per refused token: a failure is remembered, not retried on every request.
  let failed: { token: string | undefined; failure: string } | undefined;
  let renewing: Promise<{ authorization: string } | { failure: string }> | undefined;

  const renew = (sent: string | undefined, why: 'expired' | 'refused by the server'): Promise<{ authorization: string } | { failure: string }> => {
    if (stored.authorization !== undefined && stored.authorization !== sent) return Promise.resolve({ authorization: stored.authorization });
    if (failed && failed.token === sent) return Promise.resolve({ failure: failed.failure });
    renewing ??= refreshStoredOAuth(stored, { server: options.server, store: options.store, now, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.log ? { log: options.log } : {}) })
      .then(
        (next): { authorization: string } | { failure: string } => {
          stored = next;
          options.audit?.('OAUTH_REFRESH', `access token ${why}: refreshed`);
          return next.authorization ? { authorization: next.authorization } : { failure: `no access token for '${options.server}'; log in with: ${login}` };
        },
        (error: unknown) => {
          const failure =
            error instanceof NoRefreshTokenError
              ? `remote server '${options.server}' refused the firewall's OAuth access token (expired or revoked) and no refresh token is stored; log in again with: ${login}`
              : `remote server '${options.server}' refused the firewall's OAuth access token and refreshing it failed (${(error as Error).message}); log in again with: ${login}`;
          failed = { token: sent, failure };
          options.audit?.('OAUTH_REFRESH_FAILED', failure);
          return { failure };
        },
      )
      .finally(() => (renewing = undefined));
    return renewing;
  };

  return {
    get authorization() {
      return stored.authorization;
    },
    async beforeSend() {
      if (stored.expiresAt === undefined || stored.expiresAt - EXPIRY_MARGIN_MS > now() || !stored.refreshToken) return stored.authorization;
      const renewed = await renew(stored.authorization, 'expired');
      return 'authorization' in renewed ? renewed.authorization : stored.authorization;
    },
    afterRefusal: (sent) => renew(sent, 'refused by the server'),
    needsScope(asked) {
      const failure = stepUpFailure(options.server, stored.scope, asked);
      options.audit?.('OAUTH_INSUFFICIENT_SCOPE', failure);
      return failure;
    },
  };
}

/**
 * Sends a request carrying `credential`. When that is the OAuth access token: refreshed
 * first if it has expired; on a 401, refreshed once and sent once more; on a 403
 * `insufficient_scope`, not sent again (a refresh never widens scope). A string instead
 * of a response: why no token the server takes could be had (it names `auth login`).
 */
export async function sendWithOAuth(oauth: UpstreamOAuth, credential: string | undefined, send: (credential: string | undefined) => Promise<Response>): Promise<Response | string> {
  // Another credential (a static AUTHORIZATION_READ, none at all) is not ours to renew.
  if (credential === undefined || credential !== oauth.authorization) return send(credential);
  const sent = await oauth.beforeSend();
  const response = await send(sent);
  const stepUp = sent === undefined ? null : insufficientScope(response);
  if (stepUp) {
    await response.body?.cancel();
    return oauth.needsScope(stepUp.scope);
  }
  // Refreshed just now and still refused: another refresh would not help (the 401 then says why).
  if (response.status !== 401 || sent === undefined || sent !== credential) return response;
  await response.body?.cancel();
  const renewed = await oauth.afterRefusal(sent);
  return 'failure' in renewed ? renewed.failure : send(renewed.authorization);
}
