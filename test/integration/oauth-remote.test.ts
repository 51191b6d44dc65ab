import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthCommand } from '../../main/cli/commands/auth.js';
import type { Engine } from '../../main/firewall/engine.js';
import { createMemorySecretStore } from '../../main/firewall/identity/memory-store.js';
import { createSecretIndex } from '../../main/firewall/identity/secret-index.js';
import { createSecrets } from '../../main/firewall/identity/secrets.js';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../main/firewall/registry/registry.js';
import { startInProcessEngine, type InProcessEngine } from '../helpers/in-process-engine.js';
import { loginPlayingBrowser, startOAuthServer, type OAuthServer } from './oauth-fixture.js';

// An engine in this process, as `serve` runs it (shim socket, control API and so the
// interposer), whose keychain is a Map that `auth login` filled: an MCP client then works
// through /mcp/NAME with an OAuth-protected server it never logged in to itself.
// (Refresh through `serve` and the real keychain: test/keychain/oauth-remote.keychain.ts.)
describe('an OAuth-protected remote server through the interposer', () => {
  const store = createMemorySecretStore();
  let running: InProcessEngine;
  let engine: Engine;
  let remote: OAuthServer;

  const endpoint = (name: string) => running.endpoint(name);

  beforeAll(async () => {
    // What host.ts does with the OS keychain, with the Map.
    running = await startInProcessEngine('mcpfw-oauth-remote-', { secretEnv: (server) => secrets.envFor(server), secretStore: store });
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
    await client.connect(new StreamableHTTPClientTransport(endpoint('tracker'), { requestInit: { headers: { authorization: 'Bearer the-clients-own' } } }));
    try {
      const result = await client.callTool({ name: 'get-greeting', arguments: { name: 'through the firewall' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello through the firewall' }]);
    } finally {
      await client.close();
    }
    engine.spool.ingest(); // the relay's rows, folded now rather than on the timer
    const calls = engine.db.prepare("SELECT decision FROM mcp_audit WHERE server_name = 'tracker' AND event = 'call' AND tool_name = 'get-greeting'").all();
    expect(calls).toEqual([{ decision: 'ALLOW' }]);
  });

  it("writes a refreshed token back to the engine's own keychain, and audits the refresh", async () => {
    const before = await store.get({ server: 'tracker', name: 'AUTHORIZATION' });
    await remote.revokeAccess();
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint('tracker')));
    try {
      const result = await client.callTool({ name: 'get-greeting', arguments: { name: 'after revocation' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello after revocation' }]);
    } finally {
      await client.close();
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
});
