import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseUpstream } from '../../../main/firewall/http/sse-upstream.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import type { RemotePin } from '../../../main/firewall/registry/registry.js';
import type { MemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { upstreamOAuth, type UpstreamOAuthOptions } from '../../../main/firewall/identity/oauth-upstream.js';
import { loginInMemory, startOAuthServer, type OAuthServer } from '../../integration/oauth-fixture.js';
import { drive } from '../http/drive-upstream.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// The interposer's upstream adapter with a server logged in by `auth login`, against the
// real OAuth-protected fixture: a refused or expired access token is refreshed once (with
// the login's `resource`), written back to the keychain (a Map here), and the request retried once.

const SERVER = 'oauth-remote';
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const greet = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get-greeting', arguments: { name: `call ${id}` } } });

let remote: OAuthServer;
beforeAll(async () => {
  remote = await startOAuthServer();
});
afterAll(async () => {
  await remote?.stop();
});

/** A fresh `auth login`: its secrets, in a keychain of their own. */
const loggedIn = (pin: RemotePin = { url: remote.url, transport: 'http' }) => loginInMemory(SERVER, pin);

/** One interposer session's upstream, as relay-session.ts builds it from the admission's secrets. */
function session(store: MemorySecretStore, secrets: Record<string, string>, pin: RemotePin = { url: remote.url, transport: 'http' }, audit?: UpstreamOAuthOptions['audit']) {
  const oauth = upstreamOAuth({ server: SERVER, lock: noCredentialsLock, secrets, store, ...(audit ? { audit } : {}) });
  const adapter = pin.transport === 'sse' ? createSseUpstream : createUpstream;
  const upstream = adapter({ server: SERVER, url: pin.url, authorization: secrets.AUTHORIZATION!, ...(oauth ? { oauth } : {}) });
  const driven = drive(upstream);
  const start = async () => {
    driven.send(INITIALIZE);
    const answer = await driven.answer(1);
    driven.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return answer;
  };
  return { ...driven, start, stop: () => upstream.kill() };
}

const refreshes = async () => (await remote.log()).filter((e) => e.kind === 'token' && e.grant === 'refresh_token');
const textOf = (answer: Record<string, unknown> | undefined) => (answer?.result as { content?: Array<{ text: string }> } | undefined)?.content?.[0]?.text;

describe('OAuth refresh in the upstream adapter', () => {
  it('a revoked access token: 401, one refresh with the resource, the request retried and answered; the keychain gets the new tokens', async () => {
    const { store, secrets } = await loggedIn();
    const s = session(store, secrets);
    expect(await s.start()).toMatchObject({ result: { serverInfo: { name: 'oauth-server' } } });
    const before = (await refreshes()).length;
    await remote.revokeAccess();
    s.send(greet(2));
    expect(textOf(await s.answer(2))).toBe('hello call 2');
    expect((await refreshes()).slice(before)).toEqual([{ kind: 'token', grant: 'refresh_token', resource: remote.url }]);
    const stored = await store.get({ server: SERVER, name: 'AUTHORIZATION' });
    expect(stored).toMatch(/^Bearer at-/);
    expect(stored).not.toBe(secrets.AUTHORIZATION);
    expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).not.toBe(secrets.OAUTH_REFRESH_TOKEN); // rotated
    // The session goes on with the new token: no second refresh.
    s.send(greet(3));
    expect(textOf(await s.answer(3))).toBe('hello call 3');
    expect((await refreshes()).length).toBe(before + 1);
    s.stop();
  });

  it('the same over the legacy HTTP+SSE transport: a refused POST is refreshed and sent again', async () => {
    const pin: RemotePin = { url: remote.sseUrl, transport: 'sse' };
    const { store, secrets } = await loggedIn(pin);
    const s = session(store, secrets, pin);
    expect(await s.start()).toMatchObject({ result: { serverInfo: { name: 'oauth-server' } } });
    const before = (await refreshes()).length;
    await remote.revokeAccess();
    s.send(greet(2));
    expect(textOf(await s.answer(2))).toBe('hello call 2');
    expect((await refreshes()).slice(before)).toEqual([{ kind: 'token', grant: 'refresh_token', resource: remote.sseUrl }]);
    s.stop();
  });

  it('an access token past its expiry is refreshed before it is sent', async () => {
    const { store, secrets } = await loggedIn();
    const before = (await refreshes()).length;
    const s = session(store, { ...secrets, OAUTH_EXPIRES_AT: new Date(Date.now() - 1_000).toISOString() });
    expect(await s.start()).toMatchObject({ result: { serverInfo: { name: 'oauth-server' } } });
    // The server would still have taken the old token: only the stored expiry made this refresh.
    expect((await refreshes()).length).toBe(before + 1);
    expect(Date.parse((await store.get({ server: SERVER, name: 'OAUTH_EXPIRES_AT' }))!)).toBeGreaterThan(Date.now());
    s.stop();
  });

  it('without a refresh token, a refused access token becomes an error naming auth login (no refresh tried)', async () => {
    const { store, secrets } = await loggedIn();
    const { OAUTH_REFRESH_TOKEN: _dropped, ...withoutRefresh } = secrets;
    await store.delete({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' });
    const s = session(store, withoutRefresh);
    await s.start();
    const before = (await refreshes()).length;
    await remote.revokeAccess();
    s.send(greet(2));
    expect(await s.answer(2)).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/no refresh token is stored; log in again with: mcp-firewall auth login oauth-remote$/) } });
    expect((await refreshes()).length).toBe(before);
    s.stop();
  });

  it('a refresh the server refuses is tried once, then every request fails naming auth login', async () => {
    const { store, secrets } = await loggedIn();
    const s = session(store, secrets);
    await s.start();
    const before = (await refreshes()).length;
    await remote.revokeRefresh();
    s.send(greet(2));
    const refused = (await s.answer(2)) as { error: { message: string } };
    expect(refused.error.message).toMatch(/refreshing it failed \(the authorization server answered invalid_grant\); log in again with: mcp-firewall auth login oauth-remote/);
    // The fixture echoes the refused refresh token in error_description: it must go no further.
    expect(refused.error.message).not.toContain(secrets.OAUTH_REFRESH_TOKEN!);
    s.send(greet(3));
    expect(await s.answer(3)).toMatchObject({ error: { message: expect.stringContaining('mcp-firewall auth login oauth-remote') } });
    expect((await refreshes()).length).toBe(before + 1);
    expect(await store.get({ server: SERVER, name: 'AUTHORIZATION' })).toBe(secrets.AUTHORIZATION);
    s.stop();
  });

  it('a refresh token refused with invalid_grant is not sent again by later sessions, which are told to log in at once; a new login’s is', async () => {
    const { store, secrets } = await loggedIn();
    await remote.revokeRefresh();
    const before = (await refreshes()).length;
    for (let i = 0; i < 3; i++) {
      const s = session(store, secrets);
      expect(await s.start()).toMatchObject({ error: { message: expect.stringMatching(/refreshing it failed \(the authorization server answered invalid_grant\); log in again with: mcp-firewall auth login oauth-remote/) } });
      s.stop();
    }
    expect((await refreshes()).length).toBe(before + 1);
    // `auth login` again: its refresh token is another, and is tried when its access token is refused.
    const again = await loginInMemory(SERVER, { url: remote.url, transport: 'http' });
    for (const [name, value] of Object.entries(again.secrets)) await store.set({ server: SERVER, name }, value);
    await remote.revokeAccess();
    const s = session(store, again.secrets);
    expect(await s.start()).toMatchObject({ result: { serverInfo: { name: 'oauth-server' } } });
    expect((await refreshes()).length).toBe(before + 2);
    s.stop();
  });

  it('sessions refused at once share one refresh; a later one takes the refreshed token from the keychain; one audit row for the one grant', async () => {
    const { store, secrets } = await loggedIn();
    const rows: string[] = [];
    const audit: UpstreamOAuthOptions['audit'] = (decision, reason) => rows.push(`${decision}: ${reason}`);
    const [a, b, late] = [session(store, secrets, undefined, audit), session(store, secrets, undefined, audit), session(store, secrets, undefined, audit)];
    await Promise.all([a.start(), b.start(), late.start()]);
    const before = (await refreshes()).length;
    await remote.revokeAccess();
    a.send(greet(2));
    b.send(greet(2));
    // Rotation: had each refreshed with the same refresh token, the second would have failed.
    expect([textOf(await a.answer(2)), textOf(await b.answer(2))]).toEqual(['hello call 2', 'hello call 2']);
    late.send(greet(2));
    expect(textOf(await late.answer(2))).toBe('hello call 2');
    expect((await refreshes()).length).toBe(before + 1);
    // The sessions that joined the grant, or found its token in the keychain, refreshed nothing themselves.
    expect(rows).toEqual(['OAUTH_REFRESH: access token refused by the server: refreshed']);
    for (const s of [a, b, late]) s.stop();
  });

  it('logged out (or contained) while a refresh is in flight: nothing comes back to the keychain, the new tokens are revoked', async () => {
    const { store, secrets } = await loggedIn();
    const s = session(store, secrets);
    await s.start();
    await remote.revokeAccess();
    const hold = await remote.holdTokens();
    let revokedBefore: number;
    try {
      s.send(greet(2));
      await hold.waiting();
      // `auth logout` / `contain`: every secret of the server leaves the keychain.
      for (const { name } of await store.list()) await store.delete({ server: SERVER, name });
      revokedBefore = (await remote.log()).filter((e) => e.kind === 'revoke').length;
    } finally {
      // Held token requests would otherwise hang every later test's login.
      await remote.releaseTokens();
    }
    expect(await s.answer(2)).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/removed from the keychain.*mcp-firewall auth login oauth-remote/) } });
    expect(await store.list()).toEqual([]);
    // The refresh token and access token just issued: revoked at the server, and known to it.
    expect((await remote.log()).filter((e) => e.kind === 'revoke').slice(revokedBefore)).toEqual([
      { kind: 'revoke', hint: 'refresh_token', known: true, clientId: expect.any(String) },
      { kind: 'revoke', hint: 'access_token', known: true, clientId: expect.any(String) },
    ]);
    s.stop();
  });

  it('re-pinned and logged in again while a session is open: the session never sends the new login’s tokens', async () => {
    const { store, secrets } = await loggedIn();
    const s = session(store, secrets);
    await s.start();
    // `registry approve NAME --url <the SSE endpoint>` then `auth login`: the keychain now holds that login.
    const other = await loginInMemory(SERVER, { url: remote.sseUrl, transport: 'sse' });
    for (const [name, value] of Object.entries(other.secrets)) await store.set({ server: SERVER, name }, value);
    const before = (await remote.log()).length;
    await remote.revokeAccess();
    s.send(greet(2));
    expect(await s.answer(2)).toMatchObject({ error: { code: -32004, message: expect.stringContaining('mcp-firewall auth login oauth-remote') } });
    const after = (await remote.log()).slice(before);
    // Neither its access token went to the old URL, nor its refresh token to the token endpoint.
    expect(after.filter((e) => e.kind === 'presented' && e.token === other.secrets.AUTHORIZATION!.replace(/^Bearer /, ''))).toEqual([]);
    expect(after.filter((e) => e.kind === 'token')).toEqual([]);
    expect(await store.get({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' })).toBe(other.secrets.OAUTH_REFRESH_TOKEN);
    s.stop();
  });
});
