import { refreshFailureText } from './oauth-error-text.js';
import { NoRefreshTokenError, otherLogin, refreshStoredOAuth, type RefreshDeps } from './oauth-refresh.js';
import { expiryOf, readOAuthSecrets, readStoredOAuth, tokenOf, type StoredOAuth, type TokenKind } from './oauth-secrets.js';
import { insufficientScope, stepUpFailure, stepUpScope } from './oauth-step-up.js';
import { argWord } from '../shell-word.js';

// The OAuth side of one interposer session, for the upstream adapters: which access token
// to send (the full one, or the read-only one when the login split them), and what to do
// when it has expired or the server refuses it (401): refresh that token once, then retry
// once. The adapters only call sendWithOAuth (through http/upstream-shell.ts).

export interface UpstreamOAuth {
  /** The full access credential (`Bearer …`, AUTHORIZATION) as it stands; it changes when a refresh succeeds. */
  readonly authorization: string | undefined;
  /** The login split its tokens by action class (DESIGN §6): reads carry `readAuthorization`, never the full one. */
  readonly splits: boolean;
  /** The read-only access credential (AUTHORIZATION_READ) when the login split. */
  readonly readAuthorization: string | undefined;
  /** Which of the login's tokens `credential` is; undefined when none (a static one, or nothing). */
  kindOf(credential: string | undefined): TokenKind | undefined;
  /** Before sending that token: refreshed first when it has expired. Sent as it is when that fails (the 401 then says why). */
  beforeSend(kind: TokenKind): Promise<string | undefined>;
  /** The server refused `sent`: the credential to retry with, or why there is none (naming `auth login`). */
  afterRefusal(kind: TokenKind, sent: string): Promise<{ authorization: string } | { failure: string }>;
  /** The server wants more scope than the token has (403 insufficient_scope): what to do about it (audited). */
  needsScope(kind: TokenKind, asked: string | undefined): string;
}

/** What a refresh needs (oauth-refresh.ts), and the session's own. */
export interface UpstreamOAuthOptions extends RefreshDeps {
  /** The server's secrets from its admission (the keychain, read once per session). */
  secrets: Readonly<Record<string, string | undefined>>;
  /** A refresh happened or failed: a security event the audit keeps (the token never goes there). */
  audit?: (decision: 'OAUTH_REFRESH' | 'OAUTH_REFRESH_FAILED' | 'OAUTH_INSUFFICIENT_SCOPE', reason: string) => void;
}

/** Refresh a little before the server would refuse: clocks differ, requests take time. */
const EXPIRY_MARGIN_MS = 30_000;

type Renewal = { authorization: string } | { failure: string };

const WHAT: Record<TokenKind, string> = { write: 'access token', read: 'read-only access token' };

/** undefined when the server was not logged in with `auth login`: its credential is then static. */
export function upstreamOAuth(options: UpstreamOAuthOptions): UpstreamOAuth | undefined {
  const initial = readStoredOAuth(options.secrets);
  if (!initial) return undefined;
  let stored: StoredOAuth = initial;
  const now = options.now ?? Date.now;
  const login = `mcp-firewall auth login ${argWord(options.server)}`;
  // One refresh per refused token: a failure is remembered, not retried on every request.
  const failed: Partial<Record<TokenKind, { token: string | undefined; failure: string }>> = {};
  const renewing: Partial<Record<TokenKind, Promise<Renewal>>> = {};
  const deps: RefreshDeps = { server: options.server, store: options.store, now, lock: options.lock, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.log ? { log: options.log } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };

  /**
   * A newer, unexpired token of `kind` of this same login in the keychain (a sibling session
   * refreshed it after this one failed to): taken, and the remembered failure forgotten.
   */
  const newerInKeychain = async (kind: TokenKind, sent: string | undefined): Promise<Renewal | null> => {
    let current: StoredOAuth | null;
    try {
      current = readStoredOAuth(await readOAuthSecrets(options.store, options.server));
    } catch {
      return null;
    }
    if (!current || otherLogin(stored, current) || current.readScope !== stored.readScope) return null;
    const token = tokenOf(current, kind);
    const expiry = expiryOf(current, kind);
    if (token === undefined || token === sent || (expiry !== undefined && expiry - EXPIRY_MARGIN_MS <= now())) return null;
    stored = current;
    failed[kind] = undefined;
    return { authorization: token };
  };

  const renew = (kind: TokenKind, sent: string | undefined, why: 'expired' | 'refused by the server'): Promise<Renewal> => {
    const holding = tokenOf(stored, kind);
    if (holding !== undefined && holding !== sent) return Promise.resolve({ authorization: holding });
    const earlier = failed[kind];
    // Not retried on every request; but a blip is not for ever: what a sibling stored since is taken.
    if (earlier && earlier.token === sent) return newerInKeychain(kind, sent).then((found) => found ?? { failure: earlier.failure });
    const token = `the firewall's ${kind === 'read' ? 'read-only ' : ''}OAuth access token`;
    // Audited only when this session's grant renewed it: a session refused an old token
    // that takes the one a sibling session just renewed (sharing its grant, or finding it in
    // the keychain) refreshed nothing, and a row saying so would count a grant twice.
    const audited = () => options.audit?.('OAUTH_REFRESH', `${WHAT[kind]} ${why}: refreshed`);
    const running = (renewing[kind] ??= refreshStoredOAuth(stored, deps, kind, audited)
      .then(
        (next): Renewal => {
          stored = next;
          const renewed = tokenOf(next, kind);
          return renewed ? { authorization: renewed } : { failure: `no ${WHAT[kind]} for '${options.server}'; log in with: ${login}` };
        },
        (error: unknown): Renewal => {
          const failure =
            error instanceof NoRefreshTokenError
              ? `remote server '${options.server}' refused ${token} (expired or revoked) and no refresh token is stored; log in again with: ${login}`
              : `remote server '${options.server}' refused ${token} and refreshing it failed (${refreshFailureText(error)}); log in again with: ${login}`;
          failed[kind] = { token: sent, failure };
          options.audit?.('OAUTH_REFRESH_FAILED', failure);
          return { failure };
        },
      )
      .finally(() => (renewing[kind] = undefined)));
    return running;
  };

  return {
    get authorization() {
      return stored.authorization;
    },
    get splits() {
      return stored.readScope !== undefined;
    },
    get readAuthorization() {
      return stored.readScope !== undefined ? stored.readAuthorization : undefined;
    },
    kindOf(credential) {
      if (credential === undefined) return undefined;
      if (credential === stored.authorization) return 'write';
      return stored.readScope !== undefined && credential === stored.readAuthorization ? 'read' : undefined;
    },
    async beforeSend(kind) {
      const expiresAt = expiryOf(stored, kind);
      if (expiresAt === undefined || expiresAt - EXPIRY_MARGIN_MS > now() || !stored.refreshToken) return tokenOf(stored, kind);
      const renewed = await renew(kind, tokenOf(stored, kind), 'expired');
      return 'authorization' in renewed ? renewed.authorization : tokenOf(stored, kind);
    },
    afterRefusal: (kind, sent) => renew(kind, sent, 'refused by the server'),
    needsScope(kind, asked) {
      const failure = kind === 'read' ? (readOnlyLacks(options.server, stored, asked) ?? stepUpFailure(options.server, stored.scope, asked)) : stepUpFailure(options.server, stored.scope, asked);
      options.audit?.('OAUTH_INSUFFICIENT_SCOPE', failure);
      return failure;
    },
  };
}

/**
 * A read refused for a scope the login holds, only not in its read-only token: another
 * login would not help. The call was classed a read; if it writes, the policy should say so.
 */
function readOnlyLacks(server: string, stored: StoredOAuth, asked: string | undefined): string | null {
  const granted = new Set((stored.scope ?? '').split(' '));
  const wanted = (asked ?? '').split(' ').filter((s) => s !== '');
  if (wanted.length === 0 || !wanted.every((s) => granted.has(s))) return null;
  const named = stepUpScope(undefined, asked) ?? 'a scope';
  return `remote server '${server}' refused the request (HTTP 403): it needs ${named}, which the firewall's OAuth login holds only in its write token, not in the read-only one it sends with reads (${stored.readScope ?? ''}); if this call writes, class it as a write in the policy so that it carries the write token`;
}

/**
 * Sends a request carrying `credential`. When that is one of the login's access tokens: refreshed
 * first if it has expired; on a 401, refreshed once and sent once more; on a 403
 * `insufficient_scope`, not sent again (a refresh never widens scope). A string instead
 * of a response: why no token the server takes could be had (it names `auth login`).
 */
export async function sendWithOAuth(oauth: UpstreamOAuth, credential: string | undefined, send: (credential: string | undefined) => Promise<Response>): Promise<Response | string> {
  // Another credential (a static AUTHORIZATION_READ, none at all) is not ours to renew.
  const kind = oauth.kindOf(credential);
  if (kind === undefined) return send(credential);
  const sent = await oauth.beforeSend(kind);
  const response = await send(sent);
  const stepUp = sent === undefined ? null : insufficientScope(response);
  if (stepUp) {
    await response.body?.cancel();
    return oauth.needsScope(kind, stepUp.scope);
  }
  // Refreshed just now and still refused: another refresh would not help (the 401 then says why).
  if (response.status !== 401 || sent === undefined || sent !== credential) return response;
  await response.body?.cancel();
  const renewed = await oauth.afterRefusal(kind, sent);
  return 'failure' in renewed ? renewed.failure : send(renewed.authorization);
}
