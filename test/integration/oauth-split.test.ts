import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthCommand } from '../../main/cli/commands/auth.js';
import type { Engine } from '../../main/firewall/engine.js';
import { createMemorySecretStore } from '../../main/firewall/identity/memory-store.js';
import { revokeHeldCredentials } from '../../main/firewall/identity/revoke-held.js';
import { createSecretIndex } from '../../main/firewall/identity/secret-index.js';
import { createSecrets, type Secrets } from '../../main/firewall/identity/secrets.js';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../main/firewall/registry/registry.js';
import { waitFor } from '../helpers/engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from '../helpers/in-process-engine.js';
import { loginPlayingBrowser, startOAuthServer, type OAuthLogEntry, type OAuthServer } from './oauth-fixture.js';

// DESIGN §6 for OAuth logins: a server offering `mcp:read` and `mcp:write` gets a read-only
// token beside the full one after `auth login`, and the interposer (an engine in this
// process, as `serve` runs it) sends reads with the one and writes with the other. The
// fixture logs which token and scopes each request carried, and rotates refresh tokens.

type RequestEntry = Extract<OAuthLogEntry, { kind: 'request' }>;
type TokenEntry = Extract<OAuthLogEntry, { kind: 'token' }>;

describe('the read/write token split of an OAuth login', () => {
  const store = createMemorySecretStore();
  let running: InProcessEngine;
  let engine: Engine;
  let split: OAuthServer;
  let plain: OAuthServer;
  let widening: OAuthServer;
  let secrets: Secrets;

  const secret = (server: string, name: string) => store.get({ server, name });
  const bare = async (server: string, name: string) => (await secret(server, name))?.slice('Bearer '.length);
  const auth = async (args: string[]) => {
    let out = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (out += t), env: { MCP_FIREWALL_HOME: running.dir }, cwd: running.dir };
    const command = createAuthCommand({ store: () => store, interactive: () => false, openBrowser: () => {} });
    if (args[0] !== 'login') return { code: await command(args, io), out };
    const { code } = await loginPlayingBrowser(() => command(args, io), () => out);
    return { code, out };
  };
  const since = async (remote: OAuthServer, before: number) => (await remote.log()).slice(before);
  const requests = (entries: OAuthLogEntry[]) => entries.filter((e): e is RequestEntry => e.kind === 'request');
  const refreshes = (entries: OAuthLogEntry[]) => entries.filter((e): e is TokenEntry => e.kind === 'token' && e.grant === 'refresh_token');

  const connect = async (name: string) => {
    const client = new Client({ name: 'split-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(running.endpoint(name)));
    return client;
  };
  const greet = async (client: Client, name: string) => (await client.callTool({ name: 'get-greeting', arguments: { name } })).content;
  /** A write: the shipped policy asks first, so it is allowed as a person would. */
  const setGreeting = async (client: Client, text: string) => {
    const call = client.callTool({ name: 'set-greeting', arguments: { text } });
    const pending = await waitFor(() => engine.approvals.list()[0], 'the write to be held for approval', 20_000);
    expect(engine.approvals.answer(pending.id, 'allow', 'once')).toBe(true);
    return (await call).content;
  };

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-oauth-split-', {
      secretEnv: (server) => secrets.envFor(server),
      secretStore: store,
      revokeTokens: (audience) => revokeHeldCredentials(audience, { secrets, store, audit: running.engine.audit, lock: running.engine.credentialsLock }),
    });
    engine = running.engine;
    secrets = createSecrets({ store, index: createSecretIndex(engine.db), audit: engine.audit });
    [split, plain, widening] = await Promise.all([
      startOAuthServer({ SCOPES_SUPPORTED: 'mcp:read mcp:write' }),
      startOAuthServer(),
      startOAuthServer({ SCOPES_SUPPORTED: 'mcp:read mcp:write', IGNORE_REFRESH_SCOPE: '1' }),
    ]);
    approveServer(engine.registry, engine.audit, 'split', 'test', remoteFingerprint(split.url));
    approveServer(engine.registry, engine.audit, 'plain', 'test', remoteFingerprint(plain.url));
    approveServer(engine.registry, engine.audit, 'widening', 'test', remoteFingerprint(widening.url));
  });
  afterAll(async () => {
    await Promise.all([split?.stop(), plain?.stop(), widening?.stop()]);
    await running?.close();
  });

  it('auth login gets a read-only token by a refresh narrowed to mcp:read, and auth status shows it', async () => {
    const login = await auth(['login', 'split']);
    expect(login.code, login.out).toBe(0);
    const grants = (await split.log()).filter((e) => e.kind === 'token');
    expect(grants).toEqual([
      { kind: 'token', grant: 'authorization_code', resource: split.url },
      { kind: 'token', grant: 'refresh_token', resource: split.url, scope: 'mcp:read' },
    ]);
    const [full, read] = [await bare('split', 'AUTHORIZATION'), await bare('split', 'AUTHORIZATION_READ')];
    expect(read).toMatch(/^at-/);
    expect(read).not.toBe(full);
    expect(Date.parse((await secret('split', 'OAUTH_READ_EXPIRES_AT'))!)).toBeGreaterThan(Date.now());
    expect(JSON.parse((await secret('split', 'OAUTH_SERVER'))!)).toMatchObject({ mcpFirewallScope: 'mcp:read mcp:write', mcpFirewallReadScope: 'mcp:read' });

    const status = await auth(['status', 'split', '--json']);
    expect(JSON.parse(status.out)).toMatchObject({ loggedIn: true, readToken: true, readScope: 'mcp:read', noSplit: null });
    expect((await auth(['status', 'split'])).out).toContain('read-only token (mcp:read) stored for reads');
    const rows = engine.db.prepare("SELECT reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' AND decision = 'OAUTH_LOGIN' AND server_name = 'split'").all() as Array<{ reason: string }>;
    expect(rows.map((r) => r.reason)).toEqual([expect.stringContaining('AUTHORIZATION_READ') as string]);
    expect(rows[0]!.reason).toContain('reads carry a read-only token (mcp:read)');
    for (const token of [full!, read!, (await secret('split', 'OAUTH_REFRESH_TOKEN'))!]) expect(JSON.stringify(rows) + login.out + status.out).not.toContain(token);
  });

  it('through the interposer, initialize, listings, the GET stream and reads carry the read-only token; the write carries the full one', async () => {
    const before = (await split.log()).length;
    const client = await connect('split');
    try {
      await client.listTools();
      expect(await greet(client, 'reader')).toEqual([{ type: 'text', text: 'hello reader' }]);
      expect(await setGreeting(client, 'hi')).toEqual([{ type: 'text', text: 'greeting set to hi' }]);
    } finally {
      await client.close();
    }
    const [full, read] = [await bare('split', 'AUTHORIZATION'), await bare('split', 'AUTHORIZATION_READ')];
    const seen = requests(await since(split, before));
    const writes = seen.filter((r) => r.rpc === 'tools/call set-greeting');
    expect(writes.map((r) => [r.token, r.scopes])).toEqual([[full, ['mcp:read', 'mcp:write']]]);
    const others = seen.filter((r) => r.rpc !== 'tools/call set-greeting');
    expect(others.map((r) => r.rpc)).toEqual(expect.arrayContaining(['initialize', 'tools/list', 'tools/call get-greeting', null]));
    expect(others.every((r) => r.token === read && r.scopes.join(' ') === 'mcp:read')).toBe(true);
  });

  it('refreshes each token with its own scope, in sessions sharing one rotating refresh token', async () => {
    const before = { log: (await split.log()).length, full: await bare('split', 'AUTHORIZATION'), read: await bare('split', 'AUTHORIZATION_READ') };
    // Both sessions started on the same tokens and the same (single-use) refresh token.
    const [reader, writer] = [await connect('split'), await connect('split')];
    try {
      // Listed first: after the revocation the writer's only request is its write.
      await Promise.all([reader.listTools(), writer.listTools()]);
      await split.revokeAccess();
      expect(await greet(reader, 'after revocation')).toEqual([{ type: 'text', text: 'hello after revocation' }]);
      // Had the writer refreshed with the refresh token it started with, the fixture would refuse it: the reader spent it.
      expect(await setGreeting(writer, 'after revocation')).toEqual([{ type: 'text', text: 'greeting set to after revocation' }]);
    } finally {
      await reader.close();
      await writer.close();
    }
    const after = await since(split, before.log);
    expect(refreshes(after).map((e) => e.scope ?? 'the whole grant').sort()).toEqual(['mcp:read', 'the whole grant']);
    const [full, read] = [await bare('split', 'AUTHORIZATION'), await bare('split', 'AUTHORIZATION_READ')];
    expect(full).not.toBe(before.full);
    expect(read).not.toBe(before.read);
    const seen = requests(after).filter((r) => r.token === full || r.token === read);
    expect(seen.filter((r) => r.token === full).map((r) => r.rpc)).toEqual(['tools/call set-greeting']);
    expect(seen.filter((r) => r.token === read).map((r) => r.rpc)).toContain('tools/call get-greeting');
    const audit = engine.db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' AND server_name = 'split' AND decision LIKE 'OAUTH_REFRESH%'").all() as Array<{ decision: string; reason: string }>;
    expect(audit.map((r) => r.decision)).not.toContain('OAUTH_REFRESH_FAILED');
    expect(audit.map((r) => r.reason)).toEqual(expect.arrayContaining(['read-only access token refused by the server: refreshed', 'access token refused by the server: refreshed']));

    // A read-only token past its stored expiry is refreshed before use, with its scope; the full one is left alone.
    await store.set({ server: 'split', name: 'OAUTH_READ_EXPIRES_AT' }, new Date(Date.now() - 60_000).toISOString());
    const mark = (await split.log()).length;
    const late = await connect('split');
    try {
      expect(await greet(late, 'after expiry')).toEqual([{ type: 'text', text: 'hello after expiry' }]);
    } finally {
      await late.close();
    }
    expect(refreshes(await since(split, mark)).map((e) => e.scope)).toEqual(['mcp:read']);
    expect(await bare('split', 'AUTHORIZATION')).toBe(full);
    expect(Date.parse((await secret('split', 'OAUTH_READ_EXPIRES_AT'))!)).toBeGreaterThan(Date.now());
  });

  it('a server whose scopes do not split plainly keeps one token for everything, and auth status says why', async () => {
    const login = await auth(['login', 'plain']);
    expect(login.code, login.out).toBe(0);
    expect(refreshes(await plain.log())).toEqual([]);
    expect(await secret('plain', 'AUTHORIZATION_READ')).toBeNull();
    const status = JSON.parse((await auth(['status', 'plain', '--json'])).out) as Record<string, unknown>;
    expect(status).toMatchObject({ loggedIn: true, readToken: false, readScope: null, noSplit: 'the granted scope mcp:tools is neither plainly read-only nor plainly write' });
    expect((await auth(['status', 'plain'])).out).toContain('no read-only token, reads and writes share the access token (the granted scope mcp:tools is neither plainly read-only nor plainly write)');

    const before = (await plain.log()).length;
    const client = await connect('plain');
    try {
      expect(await greet(client, 'one token')).toEqual([{ type: 'text', text: 'hello one token' }]);
      expect(await setGreeting(client, 'one token')).toEqual([{ type: 'text', text: 'greeting set to one token' }]);
    } finally {
      await client.close();
    }
    const full = await bare('plain', 'AUTHORIZATION');
    const seen = requests(await since(plain, before));
    expect(seen.map((r) => r.rpc)).toEqual(expect.arrayContaining(['initialize', 'tools/call get-greeting', 'tools/call set-greeting']));
    expect(seen.every((r) => r.token === full)).toBe(true);
  });

  it('a server that ignores the narrowing gets no split (its wider token is never held as the read one)', async () => {
    const login = await auth(['login', 'widening']);
    expect(login.code, login.out).toBe(0);
    expect(refreshes(await widening.log()).map((e) => e.scope)).toEqual(['mcp:read']);
    expect(await secret('widening', 'AUTHORIZATION_READ')).toBeNull();
    expect(JSON.parse((await auth(['status', 'widening', '--json'])).out)).toMatchObject({ readToken: false, noSplit: 'the authorization server granted more than the read-only scope asked for (mcp:write)' });
    // The login keeps the refresh token that narrowing rotated to: a refresh still works.
    await widening.revokeAccess();
    const client = await connect('widening');
    try {
      expect(await greet(client, 'rotated')).toEqual([{ type: 'text', text: 'hello rotated' }]);
    } finally {
      await client.close();
    }
  });

  it('a step-up login replaces both tokens: one that cannot split drops the read-only token, the next brings a new one', async () => {
    const earlier = await bare('split', 'AUTHORIZATION_READ');
    const stepUp = await auth(['login', 'split', '--scope', 'mcp:read mcp:write mcp:vip']);
    expect(stepUp.code, stepUp.out).toBe(0);
    expect(await secret('split', 'AUTHORIZATION_READ')).toBeNull();
    expect(await secret('split', 'OAUTH_READ_EXPIRES_AT')).toBeNull();
    expect(createSecretIndex(engine.db).names('split')).not.toContain('AUTHORIZATION_READ');
    expect(JSON.parse((await auth(['status', 'split', '--json'])).out)).toMatchObject({ readToken: false, noSplit: 'the granted scope mcp:vip is neither plainly read-only nor plainly write' });

    const again = await auth(['login', 'split']);
    expect(again.code, again.out).toBe(0);
    const read = await bare('split', 'AUTHORIZATION_READ');
    expect(read).toMatch(/^at-/);
    expect(read).not.toBe(earlier);
  });

  it('a split login missing its client and read-only token (removed by hand) never sends the full token on a read', async () => {
    const kept = { client: (await secret('split', 'OAUTH_CLIENT'))!, read: (await secret('split', 'AUTHORIZATION_READ'))! };
    const full = (await bare('split', 'AUTHORIZATION'))!;
    // As `mcp-firewall secrets rm split OAUTH_CLIENT` (and AUTHORIZATION_READ) would.
    await secrets.remove({ server: 'split', name: 'OAUTH_CLIENT' }, 'test');
    await secrets.remove({ server: 'split', name: 'AUTHORIZATION_READ' }, 'test');
    const before = (await split.log()).length;
    try {
      // initialize is a read: it goes without a token, and the server refuses it.
      await expect(connect('split')).rejects.toThrow();
      const presented = (await since(split, before)).filter((e) => e.kind === 'presented' || e.kind === 'request');
      expect(presented.some((e) => 'token' in e && e.token === full)).toBe(false);
    } finally {
      await secrets.set({ server: 'split', name: 'OAUTH_CLIENT' }, kept.client, 'test');
      await secrets.set({ server: 'split', name: 'AUTHORIZATION_READ' }, kept.read, 'test');
    }
  });

  it('containment removes the read-only token with the rest and revokes it at the authorization server', async () => {
    const read = (await bare('split', 'AUTHORIZATION_READ'))!;
    const before = (await split.log()).length;
    const response = await fetch(new URL(`http://127.0.0.1:${running.api.port}/api/tokens/revoke`), {
      method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: JSON.stringify({ audience: 'split' }),
    });
    const body = (await response.json()) as { revoked: string[]; authorizationServer: { status: string; message: string } };
    expect(response.status).toBe(200);
    expect(body.revoked).toEqual(expect.arrayContaining(['AUTHORIZATION', 'AUTHORIZATION_READ', 'OAUTH_READ_EXPIRES_AT', 'OAUTH_REFRESH_TOKEN']));
    expect(body.authorizationServer).toEqual({ status: 'revoked', message: `revoked the refresh token, the access token and the read-only access token of 'split' at ${split.issuer}revoke` });
    const revokes = (await since(split, before)).filter((e) => e.kind === 'revoke');
    expect(revokes.map((e) => e.kind === 'revoke' && [e.hint, e.known])).toEqual([['refresh_token', true], ['access_token', true], ['access_token', true]]);
    const call = await fetch(split.url, { method: 'POST', headers: { authorization: `Bearer ${read}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(call.status).toBe(401);
    expect(await secret('split', 'AUTHORIZATION_READ')).toBeNull();

    // No token value in any OAuth audit row of the whole test.
    const rows = JSON.stringify(engine.db.prepare("SELECT reason FROM mcp_audit WHERE event = 'secret'").all());
    expect(rows).not.toMatch(/\b(?:at|rt)-[0-9a-f]{8}-/);
  });
});
