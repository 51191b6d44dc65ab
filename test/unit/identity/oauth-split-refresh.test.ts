import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { readOAuthSecrets } from '../../../main/firewall/identity/oauth-secrets.js';
import { upstreamOAuth } from '../../../main/firewall/identity/oauth-upstream.js';
import { loginInMemory, startOAuthServer, type OAuthServer } from '../../integration/oauth-fixture.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// Refreshing a split login's two access tokens against the real fixture, whose refresh
// tokens are single use: the two tokens share one refresh token, so their refreshes must
// follow one another, each with the refresh token the one before got.

const SERVER = 'split-refresh';
let split: OAuthServer;
let widening: OAuthServer;
beforeAll(async () => {
  [split, widening] = await Promise.all([
    startOAuthServer({ SCOPES_SUPPORTED: 'mcp:read mcp:write' }),
    startOAuthServer({ SCOPES_SUPPORTED: 'mcp:read mcp:write', IGNORE_REFRESH_SCOPE: '1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([split?.stop(), widening?.stop()]);
});

const loggedIn = (remote: OAuthServer) => loginInMemory(SERVER, { url: remote.url, transport: 'http' });

const session = (store: MemorySecretStore, secrets: Record<string, string>) => upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets, store })!;
const refreshScopes = async (remote: OAuthServer) => (await remote.log()).flatMap((e) => (e.kind === 'token' && e.grant === 'refresh_token' ? [e.scope ?? 'whole grant'] : []));

describe('refreshing both tokens of a split login', () => {
  it('two sessions refreshing the read-only and the full token at once both succeed, one after the other', async () => {
    const { store, secrets } = await loggedIn(split);
    const [reader, writer] = [session(store, secrets), session(store, secrets)];
    expect(reader.splits).toBe(true);
    const before = await refreshScopes(split);
    await split.revokeAccess();
    const [read, write] = await Promise.all([reader.afterRefusal('read', secrets.AUTHORIZATION_READ!), writer.afterRefusal('write', secrets.AUTHORIZATION!)]);
    expect(read).toEqual({ authorization: await store.get({ server: SERVER, name: 'AUTHORIZATION_READ' }) });
    expect(write).toEqual({ authorization: await store.get({ server: SERVER, name: 'AUTHORIZATION' }) });
    expect((await refreshScopes(split)).slice(before.length).sort()).toEqual(['mcp:read', 'whole grant']);

    // One session refreshing both of its own at once: the same.
    const both = session(store, await readOAuthSecrets(store, SERVER));
    await split.revokeAccess();
    const current = { read: both.readAuthorization!, full: both.authorization! };
    const again = await Promise.all([both.afterRefusal('read', current.read), both.afterRefusal('write', current.full)]);
    expect(again.every((r) => 'authorization' in r)).toBe(true);
  });

  it('a refreshed read-only token wider than its scope is refused, and the rotated refresh token is kept', async () => {
    const { store, secrets } = await loggedIn(widening);
    expect(secrets.AUTHORIZATION_READ).toBeUndefined();
    // As if this server had narrowed at login and stopped since.
    const server = { ...JSON.parse(secrets.OAUTH_SERVER!), mcpFirewallReadScope: 'mcp:read' } as Record<string, unknown>;
    const split = { ...secrets, OAUTH_SERVER: JSON.stringify(server), AUTHORIZATION_READ: 'Bearer at-stale' };
    for (const [name, value] of Object.entries(split)) await store.set({ server: SERVER, name }, value);
    const s = session(store, split);
    const refused = await s.afterRefusal('read', 'Bearer at-stale');
    expect(refused).toEqual({ failure: expect.stringContaining('the authorization server granted more than the read-only scope asked for (mcp:write); the read-only token was not renewed') });
    expect(await store.get({ server: SERVER, name: 'AUTHORIZATION_READ' })).toBe('Bearer at-stale');
    expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).not.toBe(secrets.OAUTH_REFRESH_TOKEN);
    // The full token still refreshes, with the refresh token that rotation left.
    await widening.revokeAccess();
    expect(await s.afterRefusal('write', secrets.AUTHORIZATION!)).toEqual({ authorization: expect.stringMatching(/^Bearer at-/) });
  });

  it('a session never refreshes a login that was removed from the keychain meanwhile', async () => {
    const { store, secrets } = await loggedIn(split);
    const s = session(store, secrets);
    for (const { name } of await store.list()) await store.delete({ server: SERVER, name });
    const before = (await refreshScopes(split)).length;
    expect(await s.afterRefusal('write', secrets.AUTHORIZATION!)).toEqual({ failure: expect.stringContaining('the login was removed from the keychain') });
    expect((await refreshScopes(split)).length).toBe(before);
    expect(await store.list()).toEqual([]);
  });
});
