import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthCommand } from '../../main/cli/commands/auth.js';
import { createAuditLog } from '../../main/firewall/audit/audit-log.js';
import { createEngineStore } from '../../main/firewall/engine-store.js';
import { createMemorySecretStore, type MemorySecretStore } from '../../main/firewall/identity/memory-store.js';
import { createSecretIndex } from '../../main/firewall/identity/secret-index.js';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../main/firewall/registry/registry.js';
import { authorizationUrlIn, loginPlayingBrowser, playBrowser, startOAuthServer, type OAuthServer } from './oauth-fixture.js';

// `mcp-firewall auth login` in process, against the real OAuth-protected fixture server
// (its own process, authorization server on a port of its own), with the keychain as a Map.

const SERVER = 'linear-like';
let remote: OAuthServer;
let home: string;
let store: MemorySecretStore;
let out = '';
let err = '';
const opened: string[] = [];

const command = () => createAuthCommand({ store: () => store, interactive: () => false, openBrowser: (url) => void opened.push(url) });
const run = (args: string[]) => {
  out = '';
  err = '';
  return command()(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { MCP_FIREWALL_HOME: home }, cwd: home });
};
const secret = (name: string) => store.get({ server: SERVER, name });
const withDb = <T>(read: (db: ReturnType<typeof createEngineStore>['db']) => T): T => {
  const engineStore = createEngineStore({ MCP_FIREWALL_HOME: home });
  try {
    return read(engineStore.db);
  } finally {
    engineStore.close();
  }
};

/** The tokens and client the keychain holds now. */
const heldTokens = async () => ({
  refresh: (await secret('OAUTH_REFRESH_TOKEN'))!,
  access: (await secret('AUTHORIZATION'))!.slice('Bearer '.length),
  clientId: (JSON.parse((await secret('OAUTH_CLIENT'))!) as { client_id: string }).client_id,
});

/** Whether the fixture's token endpoint still takes `held.refresh` (a refresh grant, as the interposer makes). */
const refreshAccepted = async (held: { refresh: string; clientId: string }): Promise<boolean> => {
  const response = await fetch(new URL('/token', remote.issuer), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: held.refresh, client_id: held.clientId, resource: remote.url }),
  });
  const body = (await response.json()) as { refresh_token?: string; error?: string };
  // Rotation: a successful refresh spends the token; the caller stores the new one to keep the login whole.
  if (response.ok) await store.set({ server: SERVER, name: 'OAUTH_REFRESH_TOKEN' }, body.refresh_token!);
  return response.ok;
};

beforeAll(async () => {
  remote = await startOAuthServer();
  home = mkdtempSync(join(tmpdir(), 'mcpfw-oauth-'));
  store = createMemorySecretStore();
  const engineStore = createEngineStore({ MCP_FIREWALL_HOME: home });
  approveServer(engineStore.registry, createAuditLog(engineStore.db), SERVER, 'test', remoteFingerprint(remote.url));
  engineStore.close();
});
afterAll(async () => {
  await remote?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('mcp-firewall auth login (the MCP OAuth flow against the pinned URL)', () => {
  it('discovers, registers, authorizes with PKCE and resource, and stores the tokens in the keychain', async () => {
    const { code, authorizationUrl } = await loginPlayingBrowser(() => run(['login', SERVER]), () => out);
    expect(code, err).toBe(0);

    // Followed the metadata to the authorization server on its own port, and asked it properly.
    expect(authorizationUrl.origin).toBe(new URL(remote.issuer).origin);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('resource')).toBe(remote.url);
    expect(authorizationUrl.searchParams.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(new URL(authorizationUrl.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');
    const log = await remote.log();
    expect(log.filter((e) => e.kind === 'register')).toEqual([expect.objectContaining({ token_endpoint_auth_method: 'none' })]);
    expect(log.filter((e) => e.kind === 'token')).toEqual([{ kind: 'token', grant: 'authorization_code', resource: remote.url }]);

    expect(await secret('AUTHORIZATION')).toMatch(/^Bearer at-/);
    expect(await secret('OAUTH_REFRESH_TOKEN')).toMatch(/^rt-/);
    expect(Date.parse((await secret('OAUTH_EXPIRES_AT'))!)).toBeGreaterThan(Date.now() + 3_000_000);
    expect(JSON.parse((await secret('OAUTH_CLIENT'))!)).toMatchObject({ client_id: expect.any(String), issuer: remote.issuer });
    expect(JSON.parse((await secret('OAUTH_SERVER'))!)).toMatchObject({ authorizationServerUrl: remote.issuer, resourceMetadata: { resource: remote.url } });

    // Names in the index (the interposer gets them at admission), values nowhere but the keychain.
    expect(withDb((db) => createSecretIndex(db).names(SERVER))).toEqual(['AUTHORIZATION', 'OAUTH_CLIENT', 'OAUTH_EXPIRES_AT', 'OAUTH_REFRESH_TOKEN', 'OAUTH_SERVER']);
    const audit = withDb((db) => db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'secret'").all()) as Array<{ decision: string; reason: string }>;
    expect(audit.map((r) => r.decision)).toEqual(['OAUTH_LOGIN']);
    const token = (await secret('AUTHORIZATION'))!.slice('Bearer '.length);
    expect(JSON.stringify(audit) + out + err).not.toContain(token);
    expect(JSON.stringify(audit) + out + err).not.toContain((await secret('OAUTH_REFRESH_TOKEN'))!);
    expect(opened).toEqual([]); // not a terminal: the browser is never opened by itself
  });

  it('refuses a redirect with the wrong state, keeps waiting, and never exchanges its code', async () => {
    const before = (await secret('AUTHORIZATION'))!;
    const running = run(['login', SERVER]);
    const authorizationUrl = await authorizationUrlIn(() => out);
    const forged = await playBrowser(authorizationUrl, (redirect) => {
      const tampered = new URL(redirect);
      tampered.searchParams.set('state', 'not-the-state-we-sent');
      return tampered;
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/state mismatch/);
    expect(err).toMatch(/wrong state was refused/);
    expect(await secret('AUTHORIZATION')).toBe(before);
    // The genuine redirect still completes the login.
    const genuine = await playBrowser(authorizationUrl);
    expect(genuine.status).toBe(200);
    expect(await running).toBe(0);
    expect(await secret('AUTHORIZATION')).not.toBe(before);
    const exchanges = (await remote.log()).filter((e) => e.kind === 'token' && e.grant === 'authorization_code');
    expect(exchanges).toHaveLength(2); // one per completed login: the forged code never reached the token endpoint
  });

  it('reuses the client it registered before (same loopback port) instead of registering again', async () => {
    const registrations = (await remote.log()).filter((e) => e.kind === 'register').length;
    expect((await loginPlayingBrowser(() => run(['login', SERVER]), () => out)).code).toBe(0);
    expect((await remote.log()).filter((e) => e.kind === 'register').length).toBe(registrations);
  });

  it('opens the browser itself only when asked (--open), with the URL it prints', async () => {
    const { code, authorizationUrl } = await loginPlayingBrowser(() => run(['login', SERVER, '--open']), () => out);
    expect(code, err).toBe(0);
    expect(opened).toEqual([authorizationUrl.href]);
  });

  it('gives up after --timeout with the command to run again, storing nothing', async () => {
    const before = await secret('AUTHORIZATION');
    await expect(run(['login', SERVER, '--timeout', '0.5'])).rejects.toThrow(/no redirect from the browser within 0.5 s; run 'mcp-firewall auth login linear-like' again/);
    expect(await secret('AUTHORIZATION')).toBe(before);
  });

  it('stores nothing when the server is disabled (contain) while the browser is out', async () => {
    const before = await secret('AUTHORIZATION');
    const audited = withDb((db) => db.prepare("SELECT COUNT(*) AS n FROM mcp_audit WHERE decision = 'OAUTH_LOGIN'").get()) as { n: number };
    const running = run(['login', SERVER]);
    const authorizationUrl = await authorizationUrlIn(() => out);
    const setEnabled = (enabled: boolean) => {
      const engineStore = createEngineStore({ MCP_FIREWALL_HOME: home });
      engineStore.registry.setEnabled(SERVER, enabled);
      engineStore.close();
    };
    setEnabled(false);
    try {
      expect((await playBrowser(authorizationUrl)).status).toBe(200);
      await expect(running).rejects.toThrow(`'${SERVER}' was disabled while its login was under way; nothing was stored`);
    } finally {
      setEnabled(true);
    }
    expect(await secret('AUTHORIZATION')).toBe(before);
    expect(withDb((db) => db.prepare("SELECT COUNT(*) AS n FROM mcp_audit WHERE decision = 'OAUTH_LOGIN'").get())).toEqual(audited);
  });

  it('shows the login with status, and logout removes every OAuth secret and revokes the tokens at the server (audited)', async () => {
    expect(await run(['status', SERVER, '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ server: SERVER, loggedIn: true, accessToken: true, refreshToken: true, expired: false, authorizationServer: remote.issuer });
    expect(out).not.toContain((await secret('AUTHORIZATION'))!.slice('Bearer '.length));
    const old = await heldTokens();
    // Still good at the server before the logout: what makes the checks after it mean something.
    expect(await refreshAccepted(old)).toBe(true);
    const fresh = await heldTokens();

    expect(await run(['logout', SERVER])).toBe(0);
    expect(out).toContain('removed AUTHORIZATION, OAUTH_REFRESH_TOKEN, OAUTH_EXPIRES_AT, OAUTH_CLIENT, OAUTH_SERVER');
    expect(out).toContain(`${SERVER}: revoked the refresh token and the access token of '${SERVER}' at ${remote.issuer}revoke`);
    expect(err).toBe('');
    expect(await store.list()).toEqual([]);
    expect(withDb((db) => createSecretIndex(db).names(SERVER))).toEqual([]);
    // RFC 7009: the authorization server forgot both; the old refresh token is refused there.
    expect((await remote.log()).filter((e) => e.kind === 'revoke').slice(-2)).toEqual([
      { kind: 'revoke', hint: 'refresh_token', known: true, clientId: fresh.clientId },
      { kind: 'revoke', hint: 'access_token', known: true, clientId: fresh.clientId },
    ]);
    expect(await refreshAccepted(fresh)).toBe(false);
    expect(await run(['status', SERVER])).toBe(1);
    expect(out).toContain(`not logged in with OAuth; run: mcp-firewall auth login ${SERVER}`);
    const rows = withDb((db) => db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' ORDER BY id").all()) as Array<{ decision: string; reason: string }>;
    expect(rows.map((r) => r.decision).slice(-2)).toEqual(['OAUTH_LOGOUT', 'OAUTH_REVOKED']);
    expect(JSON.stringify(rows) + out + err).not.toContain(fresh.refresh);
    expect(JSON.stringify(rows) + out + err).not.toContain(fresh.access);
  });

  it('logout removes the login here even when the server fails to revoke, and says so in one line (audited)', async () => {
    expect((await loginPlayingBrowser(() => run(['login', SERVER]), () => out)).code).toBe(0);
    const held = await heldTokens();
    await remote.failRevocation();
    expect(await run(['logout', SERVER])).toBe(0);
    expect(await store.list()).toEqual([]);
    expect(err.trim().split('\n')).toEqual([
      `warning: revoking the tokens of '${SERVER}' at ${remote.issuer}revoke failed (refresh token: HTTP 500 server_error; access token: HTTP 500 server_error): the tokens were removed here but may stay valid at ${remote.issuer} until they expire`,
    ]);
    const last = withDb((db) => db.prepare("SELECT decision, reason, actor_id FROM mcp_audit WHERE event = 'secret' AND rule_id = 'oauth' ORDER BY id DESC LIMIT 1").get()) as { decision: string; reason: string; actor_id: string };
    expect(last).toMatchObject({ decision: 'OAUTH_REVOKE_FAILED', actor_id: 'cli' });
    expect(last.reason).not.toContain(held.refresh);
    expect(last.reason).not.toContain(held.access);
  });

  it('only logs in to a server pinned with a URL', async () => {
    await expect(run(['login', 'never-approved'])).rejects.toThrow(/not in the approved registry.*registry approve --url URL never-approved/);
  });

  it('says why a server it cannot reach failed, not only "fetch failed"', async () => {
    // A port nothing listens on: the listener is closed before the login starts.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const engineStore = createEngineStore({ MCP_FIREWALL_HOME: home });
    approveServer(engineStore.registry, createAuditLog(engineStore.db), 'gone', 'test', remoteFingerprint(`http://127.0.0.1:${port}/mcp`));
    engineStore.close();
    await expect(run(['login', 'gone', '--timeout', '5'])).rejects.toThrow(/^OAuth login of 'gone' failed: fetch failed \(ECONNREFUSED\)$/);
  });
});
