import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuthMethods } from '../../../main/firewall/api/dashboard-oauth.js';
import { createEngine, type Engine } from '../../../main/firewall/engine.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import type { oauthLogin, OAuthLoginOptions } from '../../../main/firewall/identity/oauth-login.js';
import { RedirectTimeoutError } from '../../../main/firewall/identity/oauth-redirect-listener.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { REPO_ROOT } from '../../helpers/paths.js';

// The dashboard's side of `auth login`: everything around the flow (which is oauthLogin's,
// tested on its own), with the flow replaced by one the test steers.

const URL_OF = 'https://mcp.example.test/mcp';
const inputError = (message: string) => new Error(message);

/** A login the test ends by hand: `show` plays discovery reaching the URL, `finish` the browser coming back. */
function steeredLogin() {
  const calls: OAuthLoginOptions[] = [];
  let end!: { resolve: () => void; reject: (error: Error) => void };
  const login = (async (options: OAuthLoginOptions) => {
    calls.push(options);
    await new Promise<void>((resolve, reject) => (end = { resolve, reject }));
    const secrets = { AUTHORIZATION: 'Bearer t', OAUTH_CLIENT: JSON.stringify({ client_id: 'c1' }), OAUTH_SERVER: JSON.stringify({ authorizationServerUrl: 'https://as.example.test/' }) };
    return { secrets, authorizationServer: 'https://as.example.test/', registered: true };
  }) as typeof oauthLogin;
  return {
    login, calls,
    show: () => calls.at(-1)!.onAuthorizationUrl(new URL('https://as.example.test/authorize?state=s')),
    finish: () => end.resolve(),
    fail: (error: Error) => end.reject(error),
  };
}

describe('OAuth logins from the dashboard', () => {
  let dir: string;
  let engine: Engine;
  afterEach(() => {
    engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const makeEngine = (withKeychain: boolean) => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-oauth-ui-'));
    engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), ...(withKeychain ? { secretStore: createMemorySecretStore() } : {}) });
    approveServer(engine.registry, engine.audit, 'tracker', 'test', remoteFingerprint(URL_OF));
    engine.approveServer('local', 'test');
  };
  const settle = () => new Promise((r) => setTimeout(r, 10));

  it('fails with a clear error when the engine has no keychain', async () => {
    makeEngine(false);
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steeredLogin().login });
    await expect(methods.oauthLogins()).rejects.toThrow(/without an OS keychain/);
    await expect(methods.startOAuthLogin({ name: 'tracker' })).rejects.toThrow(/without an OS keychain/);
  });

  it('lists only servers pinned to a URL, and refuses a login of any other', async () => {
    makeEngine(true);
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steeredLogin().login });
    expect((await methods.oauthLogins()).map((row) => [row.name, row.url, row.loggedIn])).toEqual([['tracker', URL_OF, false]]);
    await expect(methods.startOAuthLogin({ name: 'local' })).rejects.toThrow(/'local' is not registered with a URL/);
    // A disabled (contained) server gets no login until it is enabled again.
    engine.setServerEnabled('tracker', false, 'test');
    await expect(methods.startOAuthLogin({ name: 'tracker' })).rejects.toThrow("'tracker' is disabled; enable it before logging in: mcp-firewall registry enable tracker");
    await expect(methods.startOAuthLogin({ name: 'nobody' })).rejects.toThrow(/'nobody' is not in the approved registry/);
  });

  it('answers with the URL at once, shares one login between clicks, and stores it when the browser is back', async () => {
    makeEngine(true);
    const steered = steeredLogin();
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steered.login });
    const first = methods.startOAuthLogin({ name: 'tracker' });
    const second = methods.startOAuthLogin({ name: 'tracker' });
    await settle();
    steered.show();
    expect(await first).toEqual({ authorizationUrl: 'https://as.example.test/authorize?state=s', opened: false });
    expect(await second).toEqual(await first);
    expect(steered.calls).toHaveLength(1);
    expect((await methods.oauthLogins())[0]!.pending?.authorizationUrl).toBe('https://as.example.test/authorize?state=s');

    steered.finish();
    await settle();
    const [row] = await methods.oauthLogins();
    expect(row).toMatchObject({ loggedIn: true, pending: null, lastError: null, authorizationServer: 'https://as.example.test/' });
    const audit = engine.db.prepare("SELECT actor_id, decision FROM mcp_audit WHERE rule_id = 'oauth'").all();
    expect(audit).toEqual([{ actor_id: 'dashboard', decision: 'OAUTH_LOGIN' }]);

    // This authorization server names no revocation endpoint: logged out here all the same, and the row says what stays valid.
    expect(await methods.oauthLogout({ name: 'tracker' })).toEqual({
      removed: ['AUTHORIZATION', 'OAUTH_CLIENT', 'OAUTH_SERVER'],
      revocation: { status: 'unsupported', message: expect.stringMatching(/^https:\/\/as\.example\.test\/ offers no token revocation .*may stay valid/) },
    });
    expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, lastError: expect.stringMatching(/offers no token revocation/) });
    const rows = engine.db.prepare("SELECT actor_id, decision FROM mcp_audit WHERE rule_id = 'oauth' ORDER BY id").all();
    expect(rows).toEqual([{ actor_id: 'dashboard', decision: 'OAUTH_LOGIN' }, { actor_id: 'dashboard', decision: 'OAUTH_LOGOUT' }, { actor_id: 'dashboard', decision: 'OAUTH_REVOKE_UNSUPPORTED' }]);
  });

  it('says so when a split login lost its read-only token (reads then go without one)', async () => {
    makeEngine(true);
    const server = { authorizationServerUrl: 'https://as.example.test/', mcpFirewallReadScope: 'mcp:read' };
    await engine.secretStore!.set({ server: 'tracker', name: 'AUTHORIZATION' }, 'Bearer at-1');
    await engine.secretStore!.set({ server: 'tracker', name: 'OAUTH_CLIENT' }, JSON.stringify({ client_id: 'c1' }));
    await engine.secretStore!.set({ server: 'tracker', name: 'OAUTH_SERVER' }, JSON.stringify(server));
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steeredLogin().login });
    expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: true, readScope: null, noSplit: null, readTokenMissing: true });
    await engine.secretStore!.set({ server: 'tracker', name: 'AUTHORIZATION_READ' }, 'Bearer at-read');
    expect((await methods.oauthLogins())[0]).toMatchObject({ readScope: 'mcp:read', readTokenMissing: false });
  });

  it('logout revokes the tokens at the revocation endpoint the authorization server named (RFC 7009)', async () => {
    makeEngine(true);
    const asked: Array<{ url: string; body: string }> = [];
    const fetchStub = (async (url: URL, init: RequestInit) => {
      asked.push({ url: String(url), body: String(init.body) });
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const server = { authorizationServerUrl: 'https://as.example.test/', authorizationServerMetadata: { issuer: 'https://as.example.test/', revocation_endpoint: 'https://as.example.test/revoke' } };
    await engine.secretStore!.set({ server: 'tracker', name: 'AUTHORIZATION' }, 'Bearer at-1');
    await engine.secretStore!.set({ server: 'tracker', name: 'OAUTH_CLIENT' }, JSON.stringify({ client_id: 'c1' }));
    await engine.secretStore!.set({ server: 'tracker', name: 'OAUTH_SERVER' }, JSON.stringify(server));
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steeredLogin().login, fetch: fetchStub });
    const result = await methods.oauthLogout({ name: 'tracker' });
    expect(result.revocation).toEqual({ status: 'revoked', message: "revoked the access token of 'tracker' at https://as.example.test/revoke" });
    expect(asked).toEqual([{ url: 'https://as.example.test/revoke', body: 'token=at-1&token_type_hint=access_token&client_id=c1' }]);
    expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, lastError: null });
    expect(engine.db.prepare("SELECT decision FROM mcp_audit WHERE rule_id = 'oauth' ORDER BY id").all()).toEqual([{ decision: 'OAUTH_LOGOUT' }, { decision: 'OAUTH_REVOKED' }]);
  });

  /** A dashboard login whose sign-in URL has been shown, waiting for the browser. */
  const underWay = async () => {
    makeEngine(true);
    const steered = steeredLogin();
    const methods = createOAuthMethods(engine, 'dashboard', inputError, { login: steered.login });
    const started = methods.startOAuthLogin({ name: 'tracker' });
    await settle();
    steered.show();
    await started;
    return { steered, methods };
  };

  it('keeps why a login failed after its URL was shown, until the next one', async () => {
    const { steered, methods } = await underWay();
    steered.fail(new RedirectTimeoutError('no redirect from the browser within 300 s'));
    await settle();
    expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, pending: null, lastError: 'no redirect from the browser within 300 s; press Log in again to retry' });

    const again = methods.startOAuthLogin({ name: 'tracker' });
    await settle();
    expect((await methods.oauthLogins())[0]!.lastError).toBeNull();
    // Refused before any URL: the click itself gets the error.
    steered.fail(new Error('the server offers no OAuth metadata'));
    await expect(again).rejects.toThrow("OAuth login of 'tracker' failed: the server offers no OAuth metadata");
  });

  describe('a login under way when the server is logged out, contained, disabled or re-pinned stores nothing', () => {
    const stored = async () => (await engine.secretStore!.list()).filter((r) => r.server === 'tracker').map((r) => r.name);


    // Whatever ends the login's reason to be, the flow finishing afterwards stores nothing.
    const interruptions: Array<[string, (methods: Awaited<ReturnType<typeof underWay>>['methods']) => unknown, boolean]> = [
      ['logout from the dashboard cancels it', (methods) => methods.oauthLogout({ name: 'tracker' }), true],
      ['containment (revoking the server’s tokens) cancels it', () => engine.revokeTokens('tracker', 'test'), true],
      ['a server disabled meanwhile gets nothing stored', () => engine.setServerEnabled('tracker', false, 'test'), false],
    ];
    it.each(interruptions)('%s', async (_name, interrupt, cancels) => {
      const { steered, methods } = await underWay();
      await interrupt(methods);
      if (cancels) expect(steered.calls[0]!.signal?.aborted).toBe(true);
      // The flow did not notice (this one ignores the signal): its tokens come back all the same.
      steered.finish();
      await settle();
      expect(await stored()).toEqual([]);
      expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, pending: null });
    });

    // The cancel comes while the keychain is being written (past every check): what the save wrote is taken back.
    it.each(interruptions.filter(([, , cancels]) => cancels))('%s, even while the login is being stored', async (_name, interrupt) => {
      const { steered, methods } = await underWay();
      const keychain = engine.secretStore!;
      const write = keychain.set.bind(keychain);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let first = true;
      keychain.set = async (ref, value) => {
        await write(ref, value);
        if (first) {
          first = false;
          await held;
        }
      };
      steered.finish();
      await settle();
      expect(await stored()).toEqual(['AUTHORIZATION']);
      // A logout waits for the credentials lock the store holds (containment does not take it here).
      const interrupted = interrupt(methods);
      await settle();
      release();
      await interrupted;
      await settle();
      expect(await stored()).toEqual([]);
      expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, pending: null });
    });

    it('a server re-pinned to another URL meanwhile gets nothing stored, and the row says why', async () => {
      const { steered, methods } = await underWay();
      approveServer(engine.registry, engine.audit, 'tracker', 'test', remoteFingerprint('https://other.example.test/mcp'));
      steered.finish();
      await settle();
      expect(await stored()).toEqual([]);
      expect((await methods.oauthLogins())[0]).toMatchObject({ loggedIn: false, pending: null, lastError: expect.stringContaining('pinned to another URL') });
    });
  });
});
