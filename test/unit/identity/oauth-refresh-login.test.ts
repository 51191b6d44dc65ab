import { beforeEach, describe, expect, it } from 'vitest';
import { createMemorySecretStore, type MemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { refreshStoredOAuth } from '../../../main/firewall/identity/oauth-refresh.js';
import { readOAuthSecrets, readStoredOAuth } from '../../../main/firewall/identity/oauth-secrets.js';
import { sendWithOAuth, upstreamOAuth } from '../../../main/firewall/identity/oauth-upstream.js';
import type { SecretStore } from '../../../main/firewall/identity/secret-store.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// A refresh belongs to the login the session began with: never another login's tokens
// (a re-pin and a new `auth login` meanwhile), never a login brought back after `auth
// logout` or `contain` removed it while the refresh was in flight, and never a write to a
// keychain the refresh could not read first. The authorization server is a stub here.

// Refreshes are queued, and rotations remembered, per server: each test has a server of its own.
let SERVER = 'tracker';
let serial = 0;
beforeEach(() => {
  SERVER = `tracker-${++serial}`;
});
const AS = 'https://as.test/';
const OLD_URL = 'https://old.example.test/mcp';
const NEW_URL = 'https://new.example.test/mcp';
const LATER = () => new Date(Date.now() + 3_600_000).toISOString();
const EARLIER = () => new Date(Date.now() - 60_000).toISOString();

interface Login {
  url?: string;
  client?: string;
  access?: string;
  refresh?: string;
  expires?: string;
  readScope?: string;
  readAccess?: string;
  tokenEndpoint?: string;
}

/** What `auth login` leaves in the keychain for SERVER. */
function loginSecrets({ url = OLD_URL, client = 'c1', access = 'at-1', refresh = 'rt-1', expires = LATER(), readScope, readAccess, tokenEndpoint = `${AS}token` }: Login = {}): Record<string, string> {
  const server = {
    authorizationServerUrl: AS,
    authorizationServerMetadata: { issuer: AS, authorization_endpoint: `${AS}authorize`, token_endpoint: tokenEndpoint, revocation_endpoint: `${AS}revoke`, response_types_supported: ['code'] },
    mcpFirewallLoginUrl: url,
    mcpFirewallScope: 'mcp:read mcp:write',
    ...(readScope ? { mcpFirewallReadScope: readScope } : {}),
  };
  return {
    AUTHORIZATION: `Bearer ${access}`,
    OAUTH_REFRESH_TOKEN: refresh,
    OAUTH_EXPIRES_AT: expires,
    OAUTH_CLIENT: JSON.stringify({ client_id: client }),
    OAUTH_SERVER: JSON.stringify(server),
    ...(readAccess ? { AUTHORIZATION_READ: `Bearer ${readAccess}`, OAUTH_READ_EXPIRES_AT: expires } : {}),
  };
}

async function keychainWith(secrets: Record<string, string>, store: MemorySecretStore = createMemorySecretStore()): Promise<MemorySecretStore> {
  for (const { name } of (await store.list()).filter((r) => r.server === SERVER)) await store.delete({ server: SERVER, name });
  for (const [name, value] of Object.entries(secrets)) await store.set({ server: SERVER, name }, value);
  return store;
}

type Answer = Record<string, unknown> | Response;

/** The authorization server: every request it was sent, a token endpoint the test answers (or holds). */
function authorizationServer(answer: (params: URLSearchParams) => Answer | Promise<Answer>) {
  const requests: Array<{ url: string; params: URLSearchParams }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const params = new URLSearchParams(String(init?.body ?? ''));
    requests.push({ url, params });
    if (url === `${AS}revoke`) return new Response('{}', { status: 200 });
    const answered = await answer(params);
    return answered instanceof Response ? answered : Response.json(answered);
  }) as typeof fetch;
  return { fetch: fetchFn, requests, tokenRequests: () => requests.filter((r) => r.url === `${AS}token`) };
}

const issued = (access: string, refresh: string, extra: Record<string, unknown> = {}) => ({ access_token: access, token_type: 'bearer', expires_in: 3600, refresh_token: refresh, ...extra });

/** Every value any request carried. */
const sentValues = (requests: Array<{ params: URLSearchParams }>) => requests.flatMap((r) => [...r.params.values()]);

describe('a refresh only ever uses the login its session began with', () => {
  it('re-pinned and logged in again while a session is open: the old session never sends the new login’s token anywhere', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => issued('at-x', 'rt-x'));
    const session = upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets: old, store, fetch: as.fetch })!;
    // `registry approve --url NEW` then `auth login`: a new client, new tokens, for the new URL.
    await keychainWith(loginSecrets({ url: NEW_URL, client: 'c2', access: 'at-new', refresh: 'rt-new' }), store);

    const sent: Array<string | undefined> = [];
    const answer = await sendWithOAuth(session, 'Bearer at-old', async (credential) => {
      sent.push(credential);
      return new Response('', { status: credential === 'Bearer at-old' ? 401 : 200 });
    });
    expect(answer).toEqual(expect.stringContaining('auth login'));
    expect(sent).toEqual(['Bearer at-old']);
    expect(sentValues(as.requests).join(' ')).not.toMatch(/at-new|rt-new/);
    expect(session.authorization).toBe('Bearer at-old');
  });

  it('the same with the same client and an expired new token: the new refresh token is not mixed with the old login', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => issued('at-x', 'rt-x'));
    await keychainWith(loginSecrets({ url: NEW_URL, access: 'at-new', refresh: 'rt-new', expires: EARLIER() }), store);
    await expect(refreshStoredOAuth(readStoredOAuth(old)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch })).rejects.toThrow(/auth login/);
    expect(as.tokenRequests()).toEqual([]);
    // The new login is left as it was.
    expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).toBe('rt-new');
  });

  it('a login of the same URL refreshed by a sibling session is still taken from the keychain', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => issued('at-x', 'rt-x'));
    await store.set({ server: SERVER, name: 'AUTHORIZATION' }, 'Bearer at-sibling');
    const next = await refreshStoredOAuth(readStoredOAuth(old)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch });
    expect(next.authorization).toBe('Bearer at-sibling');
    expect(as.tokenRequests()).toEqual([]);
  });
});

describe('a refresh in flight when the login is removed or replaced', () => {
  /** A token endpoint that answers only when the test says so. */
  function heldTokenEndpoint(answer: Answer) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const reached = new Promise<void>((resolve) => (asked = resolve));
    const as = authorizationServer(async () => {
      asked();
      await released;
      return answer;
    });
    return { ...as, reached, release };
  }

  it('logout (or contain) meanwhile: nothing is written back, the new tokens are revoked, the session is told to log in', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old', client: 'c-logout' });
    const store = await keychainWith(old);
    const as = heldTokenEndpoint(issued('at-2', 'rt-2'));
    const session = upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets: old, store, fetch: as.fetch })!;
    const renewal = session.afterRefusal('write', 'Bearer at-old');
    await as.reached;
    for (const { name } of await store.list()) await store.delete({ server: SERVER, name });
    as.release();
    expect(await renewal).toEqual({ failure: expect.stringMatching(/removed.*auth login/) });
    expect(await store.list()).toEqual([]);
    const revoked = as.requests.filter((r) => r.url === `${AS}revoke`).map((r) => r.params.get('token'));
    expect(revoked.sort()).toEqual(['at-2', 'rt-2']);
  });

  it('replaced by another login meanwhile: that login is left exactly as it is', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old' });
    const store = await keychainWith(old);
    const as = heldTokenEndpoint(issued('at-2', 'rt-2'));
    const renewal = refreshStoredOAuth(readStoredOAuth(old)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch });
    await as.reached;
    const other = loginSecrets({ client: 'c2', access: 'at-other', refresh: 'rt-other' });
    await keychainWith(other, store);
    as.release();
    await expect(renewal).rejects.toThrow(/auth login/);
    expect(await readOAuthSecrets(store, SERVER)).toEqual(other);
  });

  it('a rotated refresh token is written first, even when the rest of the answer cannot be used', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => issued('at-2', 'rt-2', { token_type: 'DPoP' }));
    await expect(refreshStoredOAuth(readStoredOAuth(old)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch })).rejects.toThrow(/Bearer/);
    expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).toBe('rt-2');
    expect(await store.get({ server: SERVER, name: 'AUTHORIZATION' })).toBe('Bearer at-old');
  });
});

describe('a keychain that cannot be read', () => {
  it('is never written: the session goes on with the new token in memory only', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old', client: 'c-unreadable' });
    const backing = await keychainWith(old);
    const writes: string[] = [];
    const store: SecretStore = {
      ...backing,
      get: async () => {
        throw new Error('simulated: keychain locked');
      },
      set: async (ref, value) => {
        writes.push(ref.name);
        await backing.set(ref, value);
      },
    };
    const as = authorizationServer(() => issued('at-2', 'rt-2'));
    const next = await refreshStoredOAuth(readStoredOAuth(old)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch });
    expect(next.authorization).toBe('Bearer at-2');
    expect(writes).toEqual([]);
  });
});

describe('the read-only token at refresh', () => {
  const split = () => loginSecrets({ access: 'at-full', refresh: 'rt-old', readScope: 'mcp:read', readAccess: 'at-read-old' });

  for (const [what, answer] of [
    ['without a scope (unverified)', issued('at-read-2', 'rt-2')],
    ['with an empty scope', issued('at-read-2', 'rt-2', { scope: '' })],
    ['with the full token itself', issued('at-full', 'rt-2', { scope: 'mcp:read' })],
  ] as const) {
    it(`an answer ${what} is refused; the rotated refresh token is kept`, async () => {
      const secrets = split();
      const store = await keychainWith(secrets);
      const as = authorizationServer(() => answer);
      await expect(refreshStoredOAuth(readStoredOAuth(secrets)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch }, 'read')).rejects.toThrow(/read-only token was not renewed/);
      expect(await store.get({ server: SERVER, name: 'AUTHORIZATION_READ' })).toBe('Bearer at-read-old');
      expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).toBe('rt-2');
    });
  }

  it('one as narrow as asked is taken', async () => {
    const secrets = split();
    const store = await keychainWith(secrets);
    const as = authorizationServer(() => issued('at-read-2', 'rt-2', { scope: 'mcp:read' }));
    const next = await refreshStoredOAuth(readStoredOAuth(secrets)!, { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch }, 'read');
    expect(next.readAuthorization).toBe('Bearer at-read-2');
    expect(await store.get({ server: SERVER, name: 'AUTHORIZATION_READ' })).toBe('Bearer at-read-2');
  });
});

describe('a failed refresh remembered by a session', () => {
  it('gives way to a newer token of the same login that a sibling put in the keychain', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old', client: 'c-memo' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => Response.json({ error: 'temporarily_unavailable' }, { status: 503 }));
    const session = upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets: old, store, fetch: as.fetch })!;
    expect(await session.afterRefusal('write', 'Bearer at-old')).toEqual({ failure: expect.stringContaining('refreshing it failed') });
    // A sibling session (or another engine) refreshed meanwhile.
    await store.set({ server: SERVER, name: 'AUTHORIZATION' }, 'Bearer at-sibling');
    await store.set({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' }, 'rt-sibling');
    expect(await session.afterRefusal('write', 'Bearer at-old')).toEqual({ authorization: 'Bearer at-sibling' });
    expect(as.tokenRequests()).toHaveLength(1);
  });

  it('but not to another login’s token', async () => {
    const old = loginSecrets({ access: 'at-old', refresh: 'rt-old', client: 'c-memo2' });
    const store = await keychainWith(old);
    const as = authorizationServer(() => Response.json({ error: 'temporarily_unavailable' }, { status: 503 }));
    const session = upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets: old, store, fetch: as.fetch })!;
    await session.afterRefusal('write', 'Bearer at-old');
    await keychainWith(loginSecrets({ url: NEW_URL, client: 'c-memo2', access: 'at-new', refresh: 'rt-new' }), store);
    expect(await session.afterRefusal('write', 'Bearer at-old')).toEqual({ failure: expect.stringContaining('refreshing it failed') });
  });
});

describe('a refresh token refused for good', () => {
  const refusedForGood = () => Response.json({ error: 'invalid_grant' }, { status: 400 });

  it('by a read-only refresh (a server that answers a scope it will not narrow to with invalid_grant) is still sent for the full token', async () => {
    const secrets = loginSecrets({ access: 'at-full', refresh: 'rt-scoped', readScope: 'mcp:read', readAccess: 'at-read-old' });
    const store = await keychainWith(secrets);
    const as = authorizationServer((params) => (params.has('scope') ? refusedForGood() : issued('at-full-2', 'rt-2')));
    const deps = { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch };
    await expect(refreshStoredOAuth(readStoredOAuth(secrets)!, deps, 'read')).rejects.toMatchObject({ errorCode: 'invalid_grant' });
    const next = await refreshStoredOAuth(readStoredOAuth(secrets)!, deps, 'write');
    expect(next.authorization).toBe('Bearer at-full-2');
    expect(as.tokenRequests().map((r) => r.params.get('scope'))).toEqual(['mcp:read', null]);
  });

  it('at one token endpoint is sent again to the endpoint the login was corrected to', async () => {
    const secrets = loginSecrets({ refresh: 'rt-moved', client: 'c-moved' });
    const store = await keychainWith(secrets);
    const as = authorizationServer(() => refusedForGood());
    const deps = { server: SERVER, lock: noCredentialsLock, store, fetch: as.fetch };
    await expect(refreshStoredOAuth(readStoredOAuth(secrets)!, deps)).rejects.toMatchObject({ errorCode: 'invalid_grant' });
    // The same request again is answered from memory: the endpoint is not asked twice.
    await expect(refreshStoredOAuth(readStoredOAuth(secrets)!, deps)).rejects.toMatchObject({ errorCode: 'invalid_grant' });
    expect(as.requests).toHaveLength(1);
    const corrected = loginSecrets({ refresh: 'rt-moved', client: 'c-moved', tokenEndpoint: `${AS}oauth/token` });
    await keychainWith(corrected, store);
    await expect(refreshStoredOAuth(readStoredOAuth(corrected)!, deps)).rejects.toMatchObject({ errorCode: 'invalid_grant' });
    expect(as.requests.map((r) => r.url)).toEqual([`${AS}token`, `${AS}oauth/token`]);
  });
});
