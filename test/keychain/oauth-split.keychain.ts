import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { waitFor, type PendingApproval, type RunningEngine } from '../helpers/engine-harness.js';
import { cliAsync as spawnCli } from '../helpers/cli-async.js';
import { startServeWithOAuthFixture, stopServeAndForget } from './oauth-serve-setup.js';
import { loginPlayingBrowser, type OAuthLogEntry, type OAuthServer } from '../integration/oauth-fixture.js';

// The read/write split end to end: the built CLI's `auth login` against a fixture offering
// `mcp:read` and `mcp:write`, then `serve` sending reads with the read-only token and the
// write with the full one, refreshing both, and `auth logout` revoking all three tokens.

const SERVER = 'split-tracker';
const NAMES = ['AUTHORIZATION', 'AUTHORIZATION_READ', 'OAUTH_REFRESH_TOKEN', 'OAUTH_EXPIRES_AT', 'OAUTH_READ_EXPIRES_AT', 'OAUTH_CLIENT', 'OAUTH_SERVER'];
const inKeychain = (name: string) => keytar.getPassword(KEYCHAIN_SERVICE, `${SERVER}/env/${name}`);
const bare = async (name: string) => (await inKeychain(name))?.slice('Bearer '.length);
type RequestEntry = Extract<OAuthLogEntry, { kind: 'request' }>;

describe('the OAuth read/write split through serve, on the real keychain', () => {
  let engine: RunningEngine;
  let remote: OAuthServer;

  const cliAsync = (args: string[]) => spawnCli(engine.env, args);

  /** A read and a write (allowed through the control API, as a person would) in one session. */
  const readAndWrite = async (label: string) => {
    const client = new Client({ name: 'keychain-split-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(engine.route(SERVER))));
    try {
      await client.listTools();
      const read = await client.callTool({ name: 'get-greeting', arguments: { name: label } });
      const write = client.callTool({ name: 'set-greeting', arguments: { text: label } });
      const pending = await waitFor(async () => ((await engine.api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === 'set-greeting'), 'a pending set-greeting');
      expect((await engine.api('POST', `/approvals/${pending.id}/allow`)).status).toBe(200);
      return [read.content, (await write).content];
    } finally {
      await client.close();
    }
  };
  const requestsSince = async (before: number) => (await remote.log()).slice(before).filter((e): e is RequestEntry => e.kind === 'request');

  beforeAll(async () => {
    ({ engine, remote } = await startServeWithOAuthFixture(SERVER, { SCOPES_SUPPORTED: 'mcp:read mcp:write' }));
  });
  afterAll(() => stopServeAndForget({ engine, remote }, SERVER, NAMES));

  it('auth login stores a read-only token beside the full one; auth status says so', async () => {
    const login = cliAsync(['auth', 'login', SERVER]);
    const { code } = await loginPlayingBrowser(() => login.exited, login.output);
    expect(code, login.output()).toBe(0);
    expect(await inKeychain('AUTHORIZATION_READ')).toMatch(/^Bearer at-/);
    expect(await inKeychain('AUTHORIZATION_READ')).not.toBe(await inKeychain('AUTHORIZATION'));
    const status = engine.cli(['auth', 'status', SERVER]);
    expect(status.stdout).toContain('read-only token (mcp:read) stored for reads');
  });

  it('serve sends the read with the read-only token and the write with the full one', async () => {
    const before = (await remote.log()).length;
    expect(await readAndWrite('first')).toEqual([[{ type: 'text', text: 'hello first' }], [{ type: 'text', text: 'greeting set to first' }]]);
    const [full, read] = [await bare('AUTHORIZATION'), await bare('AUTHORIZATION_READ')];
    const seen = await requestsSince(before);
    expect(seen.filter((r) => r.token === full).map((r) => r.rpc)).toEqual(['tools/call set-greeting']);
    expect(seen.filter((r) => r.token !== full).every((r) => r.token === read)).toBe(true);
    expect(seen.filter((r) => r.token === read).map((r) => r.rpc)).toEqual(expect.arrayContaining(['initialize', 'tools/list', 'tools/call get-greeting']));
  });

  it('both tokens are refreshed, each with its own scope, and written back', async () => {
    const before = { log: (await remote.log()).length, full: await inKeychain('AUTHORIZATION'), read: await inKeychain('AUTHORIZATION_READ') };
    await remote.revokeAccess();
    expect(await readAndWrite('again')).toEqual([[{ type: 'text', text: 'hello again' }], [{ type: 'text', text: 'greeting set to again' }]]);
    const refreshes = (await remote.log()).slice(before.log).flatMap((e) => (e.kind === 'token' ? [e.scope ?? 'whole grant'] : []));
    expect(refreshes).toEqual(['mcp:read', 'whole grant']);
    expect(await inKeychain('AUTHORIZATION')).not.toBe(before.full);
    expect(await inKeychain('AUTHORIZATION_READ')).not.toBe(before.read);
    expect(engine.stderr()).not.toMatch(/at-[0-9a-f]{8}-|rt-[0-9a-f]{8}-/);
  });

  it('auth logout removes and revokes all three tokens', async () => {
    const before = (await remote.log()).length;
    const logout = engine.cli(['auth', 'logout', SERVER]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain(`revoked the refresh token, the access token and the read-only access token of '${SERVER}'`);
    for (const name of NAMES) expect(await inKeychain(name)).toBeNull();
    const revoked = (await remote.log()).slice(before).flatMap((e) => (e.kind === 'revoke' ? [[e.hint, e.known]] : []));
    expect(revoked).toEqual([['refresh_token', true], ['access_token', true], ['access_token', true]]);
  });
});
