import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { dashboardPage, dashboardWebPreferences, guardDashboardContents, trustedSender, type DashboardGuards, type GuardedContents } from '../../../main/desktop/window-guards.js';

const RENDERER_DIR = '/app/dist/renderer';
const PAGE = dashboardPage(RENDERER_DIR);

/** A webContents that records the handlers the guards install, and plays a page's requests to them. */
function fakeContents(overrides: Partial<DashboardGuards> = {}) {
  const opened: string[] = [];
  let navigate: ((event: { preventDefault(): void }, url: string) => void) | null = null;
  let openWindow: ((details: { url: string }) => { action: 'deny' }) | null = null;
  let requestPermission: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  const contents: GuardedContents = {
    on: (_event, listener) => void (navigate = listener),
    setWindowOpenHandler: (handler) => void (openWindow = handler),
    session: { setPermissionRequestHandler: (handler) => void (requestPermission = handler) },
  };
  guardDashboardContents(contents, { page: PAGE, openExternal: async (url) => void opened.push(url), ...overrides });
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
    expect(fake.navigates('file:///app/dist/renderer-old/index.html')).toBe(false);
    const trusted = trustedSender(RENDERER_DIR);
    expect(trusted(sentFrom('file:///app/dist/renderer-old/index.html'))).toBe(false);
    expect(trusted(sentFrom('file:///app/dist/renderer.html'))).toBe(false);
    expect(trusted(sentFrom(`${PAGE}.bak/evil.html`))).toBe(false);
  });

  it('opens no window inside the app', async () => {
    const fake = fakeContents();
    expect(await fake.windowOpen('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(await fake.windowOpen('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual([]);
  });

  it('denies every permission a page asks for', () => {
    const fake = fakeContents();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) expect(fake.requestPermission(permission), permission).toBe(false);
  });

  it('takes IPC only from the top frame of the dashboard page', () => {
    const trusted = trustedSender(RENDERER_DIR);
    expect(trusted(sentFrom(`${PAGE}#/servers`))).toBe(true);
    expect(trusted(sentFrom(`${PAGE}`, { url: PAGE }))).toBe(false);
    expect(trusted(sentFrom('https://evil.example/'))).toBe(false);
    expect(trusted({ senderFrame: null } as unknown as IpcMainInvokeEvent)).toBe(false);
  });
});
