import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import type { RunningEngine } from '../helpers/engine-harness.js';
import { cliAsync as spawnCli } from '../helpers/cli-async.js';
import { startServeWithOAuthFixture, stopServeAndForget } from './oauth-serve-setup.js';
import { loginPlayingBrowser, type OAuthServer } from '../integration/oauth-fixture.js';

// End to end on the real OS keychain: the built CLI's `auth login` against the
// OAuth-protected fixture, then `serve`'s interposer using, refreshing and writing back
// those tokens, and `auth logout` taking them out again.

const SERVER = 'tracker';
const NAMES = ['AUTHORIZATION', 'OAUTH_REFRESH_TOKEN', 'OAUTH_EXPIRES_AT', 'OAUTH_CLIENT', 'OAUTH_SERVER'];
const inKeychain = (name: string) => keytar.getPassword(KEYCHAIN_SERVICE, `${SERVER}/env/${name}`);

describe('auth login, use and refresh through serve, on the real keychain', () => {
  let engine: RunningEngine;
  let remote: OAuthServer;

  const cliAsync = (args: string[]) => spawnCli(engine.env, args);

  // Each step's session ends with it (DELETE), as a well-behaved client's does. The SDK's
  // close() alone leaves it open in the interposer (idle sessions live 30 min), and its
  // upstream GET stream, opened after the step's call under load, then meets the next step's
  // revoked token and refreshes (or fails to) in that step, adding rows the step did not cause.
  const callThrough = async (name: string) => {
    const client = new Client({ name: 'keychain-oauth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(engine.route(SERVER)));
    await client.connect(transport);
    try {
      return await client.callTool({ name: 'get-greeting', arguments: { name } });
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  };
  const refreshes = async () => (await remote.log()).filter((e) => e.kind === 'token' && e.grant === 'refresh_token');

  beforeAll(async () => {
    ({ engine, remote } = await startServeWithOAuthFixture(SERVER));
  });
  afterAll(() => stopServeAndForget({ engine, remote }, SERVER, NAMES));

  it('auth login puts the tokens and the registered client in the keychain', async () => {
    const login = cliAsync(['auth', 'login', SERVER]);
    const { code } = await loginPlayingBrowser(() => login.exited, login.output);
    expect(code, login.output()).toBe(0);
    expect(await inKeychain('AUTHORIZATION')).toMatch(/^Bearer at-/);
    expect(await inKeychain('OAUTH_REFRESH_TOKEN')).toMatch(/^rt-/);
    expect(JSON.parse((await inKeychain('OAUTH_CLIENT'))!)).toMatchObject({ client_id: expect.any(String) });
    expect(login.output()).not.toContain((await inKeychain('AUTHORIZATION'))!.slice('Bearer '.length));
  });

  it('an SDK client calls a tool through the interposer with those tokens', async () => {
    expect((await callThrough('keychain')).content).toEqual([{ type: 'text', text: 'hello keychain' }]);
  });

  it('a revoked access token is refreshed once, the call succeeds, and the keychain holds the new tokens', async () => {
    const before = { token: await inKeychain('AUTHORIZATION'), refreshes: (await refreshes()).length };
    await remote.revokeAccess();
    expect((await callThrough('after revocation')).content).toEqual([{ type: 'text', text: 'hello after revocation' }]);
    expect((await refreshes()).slice(before.refreshes)).toEqual([{ kind: 'token', grant: 'refresh_token', resource: remote.url }]);
    const after = await inKeychain('AUTHORIZATION');
    expect(after).toMatch(/^Bearer at-/);
    expect(after).not.toBe(before.token);
    expect(engine.stderr()).not.toContain(after!.slice('Bearer '.length));
  });

  it('an access token past its stored expiry is refreshed before use', async () => {
    // `secrets set` with its value in the environment (never in argv).
    const expire = spawnCli({ ...engine.env, MCP_FIREWALL_SECRET_VALUE: new Date(Date.now() - 60_000).toISOString() }, ['secrets', 'set', SERVER, 'OAUTH_EXPIRES_AT']).exited;
    expect(await expire).toBe(0);
    const before = (await refreshes()).length;
    expect((await callThrough('after expiry')).content).toEqual([{ type: 'text', text: 'hello after expiry' }]);
    expect((await refreshes()).length).toBe(before + 1);
    expect(Date.parse((await inKeychain('OAUTH_EXPIRES_AT'))!)).toBeGreaterThan(Date.now());
  });

  it('without a refresh token, the client is told to run auth login', async () => {
    expect(engine.cli(['secrets', 'rm', SERVER, 'OAUTH_REFRESH_TOKEN']).code).toBe(0);
    await remote.revokeAccess();
    await expect(callThrough('no refresh')).rejects.toThrow(/no refresh token is stored; log in again with: mcp-firewall auth login tracker/);
  });

  it('auth status and auth logout read and clear the keychain', async () => {
    const status = engine.cli(['auth', 'status', SERVER, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ loggedIn: true, refreshToken: false, authorizationServer: remote.issuer });
    const access = (await inKeychain('AUTHORIZATION'))!.slice('Bearer '.length);
    const logout = engine.cli(['auth', 'logout', SERVER]);
    expect(logout.code, logout.stderr).toBe(0);
    for (const name of NAMES) expect(await inKeychain(name)).toBeNull();
    // Revoked at the authorization server too (RFC 7009): the refresh token was removed above, so only the
    // access token is asked for (one the fixture had already dropped above: RFC 7009 answers 200 all the same).
    expect(logout.stdout).toContain(`${SERVER}: revoked the access token of '${SERVER}' at ${remote.issuer}revoke`);
    expect((await remote.log()).filter((e) => e.kind === 'revoke')).toEqual([{ kind: 'revoke', hint: 'access_token', known: false, clientId: expect.any(String) }]);
    expect(logout.stdout + logout.stderr).not.toContain(access);
    // Login, the interposer's refreshes (refused, expired, then impossible) and logout: each a row, no token in any.
    const audit = engine.cli(['audit', 'query', '--json', "SELECT decision, server_name, reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' ORDER BY id"]);
    const rows = JSON.parse(audit.stdout) as Array<{ decision: string; server_name: string; reason: string | null }>;
    expect(rows.map((r) => r.decision)).toEqual(['OAUTH_LOGIN', 'OAUTH_REFRESH', 'OAUTH_REFRESH', 'OAUTH_REFRESH_FAILED', 'OAUTH_LOGOUT', 'OAUTH_REVOKED']);
    expect(rows.every((r) => r.server_name === SERVER)).toBe(true);
    expect(rows[1]!.reason).toBe('access token refused by the server: refreshed');
    expect(rows[2]!.reason).toBe('access token expired: refreshed');
    expect(rows[3]!.reason).toMatch(/no refresh token is stored; log in again with: mcp-firewall auth login tracker/);
    expect(audit.stdout).not.toMatch(/Bearer |at-[A-Za-z0-9]|rt-[A-Za-z0-9]/);
  });

  it('contain removes a login and says, in one line, that its authorization server revoked the tokens', async () => {
    const login = cliAsync(['auth', 'login', SERVER]);
    expect((await loginPlayingBrowser(() => login.exited, login.output)).code, login.output()).toBe(0);
    const refresh = (await inKeychain('OAUTH_REFRESH_TOKEN'))!;
    const contained = engine.cli(['contain', SERVER]);
    expect(contained.code, contained.stderr).toBe(0);
    expect(contained.stdout).toContain(`      revoked the refresh token and the access token of '${SERVER}' at ${remote.issuer}revoke\n`);
    for (const name of NAMES) expect(await inKeychain(name)).toBeNull();
    expect(contained.stdout).not.toContain(refresh);
    expect((await remote.log()).filter((e) => e.kind === 'revoke').slice(-2).map((e) => e.kind === 'revoke' && [e.hint, e.known])).toEqual([['refresh_token', true], ['access_token', true]]);
  });
});

