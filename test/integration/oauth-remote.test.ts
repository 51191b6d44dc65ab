import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthCommand } from '../../main/cli/commands/auth.js';
import type { Engine } from '../../main/firewall/engine.js';
import { createMemorySecretStore } from '../../main/firewall/identity/memory-store.js';
import { createSecretIndex } from '../../main/firewall/identity/secret-index.js';
import { createSecrets } from '../../main/firewall/identity/secrets.js';
import { revokeHeldCredentials } from '../../main/firewall/identity/revoke-held.js';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../main/firewall/registry/registry.js';
import { startInProcessEngine, type InProcessEngine } from '../helpers/in-process-engine.js';
import { loginPlayingBrowser, startOAuthServer, type OAuthServer } from './oauth-fixture.js';

// An engine in this process, as `serve` runs it (shim socket, control API and so the
// interposer), whose keychain is a Map that `auth login` filled: an MCP client then works
// through /mcp/NAME with an OAuth-protected server it never logged in to itself.
// (Refresh through `serve` and the real keychain: test/keychain/oauth-remote.keychain.ts.)
/**
 * Ends the session with DELETE before closing: close() alone leaves it open in the interposer
 * (idle sessions live 30 min), and its background GET could meet a later test's revoked token.
 */
async function end(client: Client, transport: StreamableHTTPClientTransport): Promise<void> {
  await transport.terminateSession();
  await client.close();
}

describe('an OAuth-protected remote server through the interposer', () => {
  const store = createMemorySecretStore();
  let running: InProcessEngine;
  let engine: Engine;
  let remote: OAuthServer;

  const endpoint = (name: string) => running.endpoint(name);

  beforeAll(async () => {
    // What host.ts does with the OS keychain, with the Map.
    running = await startInProcessEngine('mcpfw-oauth-remote-', {
      secretEnv: (server) => secrets.envFor(server),
      secretStore: store,
      revokeTokens: (audience) => revokeHeldCredentials(audience, { secrets, store, audit: running.engine.audit, lock: running.engine.credentialsLock }),
    });
    engine = running.engine;
    const secrets = createSecrets({ store, index: createSecretIndex(engine.db), audit: engine.audit });
    remote = await startOAuthServer();
    approveServer(engine.registry, engine.audit, 'tracker', 'test', remoteFingerprint(remote.url));
    approveServer(engine.registry, engine.audit, 'tracker-no-login', 'test', remoteFingerprint(remote.url));
  });
  afterAll(async () => {
    await remote?.stop();
    await running?.close();
  });

  it('before any login, the client is told to run auth login', async () => {
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(endpoint('tracker-no-login')))).rejects.toThrow(
      /remote server 'tracker-no-login' refused the request \(HTTP 401\) and asks for an OAuth token; log the firewall in with: mcp-firewall auth login tracker-no-login/,
    );
  });

  it('after auth login, an SDK client calls a tool through the interposer', async () => {
    let out = '';
    const login = createAuthCommand({ store: () => store, interactive: () => false, openBrowser: () => {} });
    const { code } = await loginPlayingBrowser(() => login(['login', 'tracker'], { stdout: (t) => (out += t), stderr: (t) => (out += t), env: { MCP_FIREWALL_HOME: running.dir }, cwd: running.dir }), () => out);
    expect(code, out).toBe(0);

    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    // The client's own token is dropped (DESIGN §6): the firewall's OAuth token is what the server sees.
    const transport = new StreamableHTTPClientTransport(endpoint('tracker'), { requestInit: { headers: { authorization: 'Bearer the-clients-own' } } });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'get-greeting', arguments: { name: 'through the firewall' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello through the firewall' }]);
    } finally {
      await end(client, transport);
    }
    engine.spool.ingest(); // the relay's rows, folded now rather than on the timer
    const calls = engine.db.prepare("SELECT decision FROM mcp_audit WHERE server_name = 'tracker' AND event = 'call' AND tool_name = 'get-greeting'").all();
    expect(calls).toEqual([{ decision: 'ALLOW' }]);
  });

  it('a 403 insufficient_scope names the exact `auth login --scope` to run (audited); that login gets the scope and the call through', async () => {
    const command = `mcp-firewall auth login --scope "mcp:tools mcp:vip" tracker`;
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(endpoint('tracker'));
    await client.connect(transport);
    try {
      const refused = await client.callTool({ name: 'get-vip-greeting', arguments: { name: 'admin' } }, undefined, { timeout: 20_000 }).then(() => null, (error: { code?: number; message: string }) => error);
      expect(refused?.code).toBe(-32004);
      expect(refused?.message).toContain(`remote server 'tracker' refused the request (HTTP 403): the firewall's OAuth token lacks a scope it needs (mcp:vip); log in again with it: ${command}`);
      // Only that call: the session and the token go on for what the token may do.
      expect((await client.callTool({ name: 'get-greeting', arguments: { name: 'still' } })).content).toEqual([{ type: 'text', text: 'hello still' }]);
    } finally {
      await end(client, transport);
    }
    const rows = engine.db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' AND decision = 'OAUTH_INSUFFICIENT_SCOPE'").all() as Array<{ reason: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason).toContain(command);

    // The command as printed: its --scope is what the authorization request asks for.
    let out = '';
    const login = createAuthCommand({ store: () => store, interactive: () => false, openBrowser: () => {} });
    const args = ['login', 'tracker', '--scope', 'mcp:tools mcp:vip'];
    const { code, authorizationUrl } = await loginPlayingBrowser(() => login(args, { stdout: (t) => (out += t), stderr: (t) => (out += t), env: { MCP_FIREWALL_HOME: running.dir }, cwd: running.dir }), () => out);
    expect(code, out).toBe(0);
    expect(authorizationUrl.searchParams.get('scope')).toBe('mcp:tools mcp:vip');
    expect(JSON.parse((await store.get({ server: 'tracker', name: 'OAUTH_SERVER' }))!)).toMatchObject({ mcpFirewallScope: 'mcp:tools mcp:vip' });
    const again = new Client({ name: 'oauth-test', version: '1.0.0' });
    const againTransport = new StreamableHTTPClientTransport(endpoint('tracker'));
    await again.connect(againTransport);
    try {
      expect((await again.callTool({ name: 'get-vip-greeting', arguments: { name: 'admin' } })).content).toEqual([{ type: 'text', text: 'hello admin' }]);
    } finally {
      await end(again, againTransport);
    }
  });

  it("writes a refreshed token back to the engine's own keychain, and audits the refresh", async () => {
    const before = await store.get({ server: 'tracker', name: 'AUTHORIZATION' });
    await remote.revokeAccess();
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(endpoint('tracker'));
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'get-greeting', arguments: { name: 'after revocation' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello after revocation' }]);
    } finally {
      await end(client, transport);
    }
    const after = await store.get({ server: 'tracker', name: 'AUTHORIZATION' });
    expect(after).toMatch(/^Bearer at-/);
    expect(after).not.toBe(before);
    const refreshes = engine.db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' AND server_name = 'tracker' AND decision LIKE 'OAUTH_REFRESH%'").all();
    expect(refreshes).toEqual([{ decision: 'OAUTH_REFRESH', reason: 'access token refused by the server: refreshed' }]);
  });

  it('does not send the tokens to a URL the server was re-pinned to after the login', async () => {
    // The same server under another name of this machine: a URL the login was not for.
    const moved = remote.url.replace('127.0.0.1', 'localhost');
    approveServer(engine.registry, engine.audit, 'tracker', 'test', remoteFingerprint(moved));
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(endpoint('tracker')))).rejects.toThrow(/HTTP 401.*mcp-firewall auth login tracker/);
  });

  it('containment (POST /api/tokens/revoke) removes the login and revokes its tokens at the authorization server', async () => {
    const refreshToken = (await store.get({ server: 'tracker', name: 'OAUTH_REFRESH_TOKEN' }))!;
    const accessToken = (await store.get({ server: 'tracker', name: 'AUTHORIZATION' }))!.slice('Bearer '.length);
    const clientId = (JSON.parse((await store.get({ server: 'tracker', name: 'OAUTH_CLIENT' }))!) as { client_id: string }).client_id;
    const response = await fetch(new URL(`http://127.0.0.1:${running.api.port}/api/tokens/revoke`), {
      method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: JSON.stringify({ audience: 'tracker' }),
    });
    const body = (await response.json()) as { revoked: string[]; authorizationServer: { status: string; message: string } };
    expect(response.status).toBe(200);
    expect(body.revoked).toEqual(['AUTHORIZATION', 'OAUTH_CLIENT', 'OAUTH_EXPIRES_AT', 'OAUTH_REFRESH_TOKEN', 'OAUTH_SERVER']);
    expect(body.authorizationServer).toEqual({ status: 'revoked', message: `revoked the refresh token and the access token of 'tracker' at ${remote.issuer}revoke` });
    expect(await store.list()).toEqual([]);
    // The copies anyone might still hold are worthless at the server now.
    const refresh = await fetch(new URL('/token', remote.issuer), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, resource: remote.url }) });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    const call = await fetch(remote.url, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(call.status).toBe(401);
    const rows = engine.db.prepare("SELECT decision, actor_id, reason FROM mcp_audit WHERE event = 'secret' AND server_name = 'tracker' AND decision IN ('OAUTH_REVOKED', 'TOKENS_REVOKED') ORDER BY id").all() as Array<{ decision: string; actor_id: string; reason: string }>;
    expect(rows.map((r) => [r.decision, r.actor_id])).toEqual([['OAUTH_REVOKED', 'containment'], ['TOKENS_REVOKED', 'control-api']]);
    expect(JSON.stringify(rows)).not.toContain(refreshToken);
    expect(JSON.stringify(rows)).not.toContain(accessToken);
  });
});
