import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { DASHBOARD_PAGE } from '../../../main/desktop/app-protocol.js';
import { dashboardWebPreferences, guardDashboardContents, pendingLoginLinks, trustedSender, type DashboardGuards, type GuardedContents } from '../../../main/desktop/window-guards.js';
import type { OAuthLoginRow } from '../../../preload/contract.js';

const PAGE = DASHBOARD_PAGE;

/** A webContents that records the handlers the guards install, and plays a page's requests to them. */
function fakeContents(overrides: Partial<DashboardGuards> = {}) {
  const opened: string[] = [];
  let navigate: ((event: { preventDefault(): void }, url: string) => void) | null = null;
  let openWindow: ((details: { url: string }) => { action: 'deny' }) | null = null;
  let requestPermission: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  // Electron's answer to a permission check when no handler is set.
  let checkPermission: (contents: unknown, permission: string) => boolean = () => true;
  const contents: GuardedContents = {
    on: (_event, listener) => void (navigate = listener),
    setWindowOpenHandler: (handler) => void (openWindow = handler),
    session: { setPermissionRequestHandler: (handler) => void (requestPermission = handler), setPermissionCheckHandler: (handler) => void (checkPermission = handler) },
  };
  guardDashboardContents(contents, { page: PAGE, openExternal: async (url) => void opened.push(url), mayOpenExternally: async () => false, ...overrides });
  return {
    opened,
    /** True when the guard let the page navigate there. */
    navigates(url: string): boolean {
      let prevented = false;
      navigate!({ preventDefault: () => void (prevented = true) }, url);
      return !prevented;
    },
    async windowOpen(url: string) {
      const answer = openWindow!({ url });
      await new Promise((resolve) => setTimeout(resolve, 0));
      return answer;
    },
    requestPermission(permission: string): boolean {
      let granted: boolean | null = null;
      requestPermission!({}, permission, (g) => void (granted = g));
      return granted!;
    },
    checkPermission: (permission: string) => checkPermission({}, permission),
  };
}

const sentFrom = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } }) as unknown as IpcMainInvokeEvent;

describe('the dashboard window guards', () => {
  it('turns on each renderer protection of the checklist: isolation, sandbox, no Node, web security, no webviews', () => {
    expect(dashboardWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    const prefs = dashboardWebPreferences('/app/preload.cjs');
    expect(prefs.experimentalFeatures).toBeUndefined();
    expect(prefs.enableBlinkFeatures).toBeUndefined();
  });

  it('lets the page move between its own routes and stops every navigation elsewhere', () => {
    const fake = fakeContents();
    expect(fake.navigates(`${PAGE}#/approvals`)).toBe(true);
    expect(fake.navigates('https://evil.example/')).toBe(false);
    expect(fake.navigates('file:///etc/passwd')).toBe(false);
  });

  it('takes no file whose URL merely starts like the page for the page', () => {
    const fake = fakeContents();
    expect(fake.navigates(`${PAGE}.bak/evil.html`)).toBe(false);
    expect(fake.navigates('mcp-firewall://dashboard/index.html.bak/evil.html')).toBe(false);
    const trusted = trustedSender();
    expect(trusted(sentFrom(`${PAGE}.bak/evil.html`))).toBe(false);
    expect(trusted(sentFrom('mcp-firewall://dashboard/other.html'))).toBe(false);
    expect(trusted(sentFrom('mcp-firewall://elsewhere/index.html'))).toBe(false);
  });

  it('opens no window inside the app', async () => {
    const fake = fakeContents();
    expect(await fake.windowOpen('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(await fake.windowOpen('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual([]);
  });

  it('opens in the system browser only a link the engine gave the page, never one the page picks', async () => {
    const given = ['https://as.example.test/authorize?state=s', 'http://127.0.0.1:8765/authorize?state=t'];
    const fake = fakeContents({ mayOpenExternally: async (url) => given.includes(url) });
    expect(await fake.windowOpen('https://evil.example/sign-in')).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual([]);
    for (const url of given) expect(await fake.windowOpen(url)).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(given);
  });

  it('gives out as links the authorization URLs of logins still waiting, and none without a keychain', async () => {
    const row = (name: string, authorizationUrl: string | null) => ({ name, pending: authorizationUrl === null ? null : { startedAt: '2026-01-01T00:00:00Z', authorizationUrl } }) as unknown as OAuthLoginRow;
    const links = pendingLoginLinks({ oauthLogins: async () => [row('tracker', 'https://as.example.test/authorize?state=s'), row('docs', null)] });
    expect(await links('https://as.example.test/authorize?state=s')).toBe(true);
    expect(await links('https://as.example.test/authorize?state=other')).toBe(false);
    expect(await links('https://evil.example/')).toBe(false);
    // As Chromium hands it over: host in lower case, default port dropped, a space escaped.
    const written = pendingLoginLinks({ oauthLogins: async () => [row('wiki', 'https://AS.example.test:443/authorize?scope=read write')] });
    expect(await written('https://as.example.test/authorize?scope=read%20write')).toBe(true);
    expect(await written('https://as.example.test/authorize?scope=read%20admin')).toBe(false);
    const noKeychain = pendingLoginLinks({ oauthLogins: async () => { throw new Error('this engine runs without an OS keychain'); } });
    expect(await noKeychain('https://as.example.test/authorize?state=s')).toBe(false);
  });

  it('denies every permission a page asks for', () => {
    const fake = fakeContents();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) expect(fake.requestPermission(permission), permission).toBe(false);
  });

  it('answers no to every permission check, which some APIs go by without a request', () => {
    const fake = fakeContents();
    for (const permission of ['hid', 'serial', 'usb', 'clipboard-read', 'clipboard-sanitized-write', 'notifications', 'media']) expect(fake.checkPermission(permission), permission).toBe(false);
  });

  it('takes IPC only from the top frame of the dashboard page', () => {
    const trusted = trustedSender();
    expect(trusted(sentFrom(`${PAGE}#/servers`))).toBe(true);
    // The page is no longer a file: a file:// page (one dropped on the window, say) is not the dashboard.
    expect(trusted(sentFrom('file:///app/dist/renderer/index.html'))).toBe(false);
    expect(trusted(sentFrom(`${PAGE}`, { url: PAGE }))).toBe(false);
    expect(trusted(sentFrom('https://evil.example/'))).toBe(false);
    expect(trusted({ senderFrame: null } as unknown as IpcMainInvokeEvent)).toBe(false);
  });
});
