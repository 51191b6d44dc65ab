import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { playBrowser, startOAuthServer, type OAuthServer } from '../integration/oauth-fixture.js';
import { serveDashboard, type ServedDashboard, launchChromium, signIn } from './serve-harness.js';

// `auth login|logout` from the Servers page: the engine runs the flow, the page opens the
// authorization URL, this test plays the browser that tab would be. Needs the real
// keychain, so `npm run test:e2e` runs under scripts/with-keychain.sh.

const POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8');
const SERVER = 'tracker';

describe('OAuth login of a remote server from the Servers page', () => {
  let served: ServedDashboard;
  let remote: OAuthServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Authorization URLs the page opened, in order; the tab itself is answered with a stub. */
  const opened: string[] = [];

  const oauthRow = () => page.getByRole('region', { name: 'Remote server logins (OAuth)' }).getByRole('row').filter({ hasText: SERVER });
  const authStatus = () => served.cli(['auth', 'status', SERVER, '--json']);
  const auditOf = (decision: string) =>
    JSON.parse(served.cli(['audit', 'query', `SELECT actor_id, rule_id FROM mcp_audit WHERE decision = '${decision}' AND server_name = '${SERVER}'`, '--json']).stdout) as Array<{ actor_id: string; rule_id: string }>;
  /** The next authorization URL the page opens in a new tab. */
  const nextOpened = async () => {
    const before = opened.length;
    // The engine discovers the authorization server first: a loaded CI box may take seconds.
    await expect.poll(() => opened.length, { timeout: 30_000 }).toBeGreaterThan(before);
    return new URL(opened[before]!);
  };

  beforeAll(async () => {
    remote = await startOAuthServer();
    served = await serveDashboard(POLICY);
    const approve = served.cli(['registry', 'approve', SERVER, '--url', remote.url]);
    expect(approve.code, approve.stderr).toBe(0);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The new tab's request is caught, not sent: the test, not Chromium, plays the browser.
    await context.route((url) => url.href.startsWith(`${remote.issuer}authorize`), async (route) => {
      opened.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'the e2e test plays this browser' });
    });
    page = await context.newPage();
    await signIn(page, served);
  });
  afterAll(async () => {
    await browser?.close();
    if (served) served.cli(['auth', 'logout', SERVER]);
    await served?.stop();
    await remote?.stop();
  });

  it('logs in through the engine when the browser comes back, and logs out again', async () => {
    await page.goto(`http://127.0.0.1:${served.port}/#/servers`);
    await oauthRow().getByText('not logged in').waitFor();

    await oauthRow().getByRole('button', { name: `Log in to ${SERVER}` }).click();
    const authorizationUrl = await nextOpened();
    expect(authorizationUrl.searchParams.get('resource')).toBe(remote.url);
    await oauthRow().getByText('waiting for the browser…').waitFor();

    const landed = await playBrowser(authorizationUrl);
    expect(landed.status, landed.text).toBe(200);
    await oauthRow().getByText(/^logged in \(expires /).waitFor();
    expect(JSON.parse(authStatus().stdout)).toMatchObject({ loggedIn: true, accessToken: true, refreshToken: true, authorizationServer: remote.issuer });
    expect(auditOf('OAUTH_LOGIN')).toEqual([{ actor_id: 'dashboard', rule_id: 'oauth' }]);

    await oauthRow().getByRole('button', { name: `Log out of ${SERVER}` }).click();
    await oauthRow().getByText('not logged in').waitFor();
    expect(authStatus().code).toBe(1);
    expect(auditOf('OAUTH_LOGOUT')).toEqual([{ actor_id: 'dashboard', rule_id: 'oauth' }]);
    // Revoked at the authorization server too (RFC 7009), so the row shows no warning.
    expect(auditOf('OAUTH_REVOKED')).toEqual([{ actor_id: 'dashboard', rule_id: 'oauth' }]);
    expect(await oauthRow().getByRole('alert').count()).toBe(0);
  });

  it('shows why a login failed when the authorization server refuses', async () => {
    await page.goto(`http://127.0.0.1:${served.port}/#/servers`);
    await oauthRow().getByRole('button', { name: `Log in to ${SERVER}` }).click();
    const refused = await playBrowser(await nextOpened(), (redirect) => {
      redirect.searchParams.delete('code');
      redirect.searchParams.set('error', 'access_denied');
      return redirect;
    });
    expect(refused.status).toBe(200);
    await oauthRow().getByRole('alert').getByText(`OAuth login of '${SERVER}' failed: the authorization server refused: access_denied`).waitFor();
    await oauthRow().getByText('not logged in').waitFor();
    expect(authStatus().code).toBe(1);
  });
});
