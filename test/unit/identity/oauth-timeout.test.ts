import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFailureText } from '../../../main/firewall/identity/oauth-error-text.js';
import { oauthLogin, oauthLoginFailure } from '../../../main/firewall/identity/oauth-login.js';
import { refreshStoredOAuth } from '../../../main/firewall/identity/oauth-refresh.js';
import { readStoredOAuth } from '../../../main/firewall/identity/oauth-secrets.js';
import { loginInMemory, playBrowser, startOAuthServer, type OAuthServer } from '../../integration/oauth-fixture.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// A token endpoint that never answers must not hold a refresh (and with it every session
// of the server, queued behind it) or a login for ever: each token request has a time limit
// (30 s; 0.3 s here). The fixture's token endpoint is told to leave requests unanswered.
// The bound on the wait lies between the two: a limit not passed on would wait 30 s.
const WELL_BEFORE_DEFAULT_LIMIT_MS = 10_000;

const SERVER = 'hanging';
let remote: OAuthServer;
beforeAll(async () => {
  remote = await startOAuthServer();
});
afterAll(async () => {
  await remote?.stop();
});

describe('a token endpoint that never answers', () => {
  it('a refresh fails after the time limit, saying so', async () => {
    const { store, secrets } = await loginInMemory(SERVER, { url: remote.url, transport: 'http' });
    await remote.hangTokens();
    const started = Date.now();
    const error = await refreshStoredOAuth(readStoredOAuth(secrets)!, { server: SERVER, lock: noCredentialsLock, store, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(WELL_BEFORE_DEFAULT_LIMIT_MS);
    expect(refreshFailureText(error)).toBe('the token endpoint did not answer in time');
    expect(await store.get({ server: SERVER, name: 'AUTHORIZATION' })).toBe(secrets.AUTHORIZATION);
  });

  it("a login's code exchange fails after the time limit, saying so", async () => {
    await remote.hangTokens();
    let shown: URL | undefined;
    const running = oauthLogin({ server: SERVER, pin: { url: remote.url, transport: 'http' }, previous: null, timeoutMs: 10_000, requestTimeoutMs: 300, onAuthorizationUrl: (url) => (shown = url) }).catch((e: unknown) => e);
    const url = await waitFor(() => shown, 'the authorization URL', 20_000);
    const started = Date.now();
    await playBrowser(url);
    const error = await running;
    expect(Date.now() - started).toBeLessThan(WELL_BEFORE_DEFAULT_LIMIT_MS);
    expect(oauthLoginFailure(SERVER, error)).toBe(`OAuth login of '${SERVER}' failed: the authorization server did not answer in time`);
  });
});
