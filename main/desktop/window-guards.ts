import type { IpcMainInvokeEvent, WebPreferences } from 'electron';
import type { DashboardService } from '../firewall/api/dashboard-service.js';
import { DASHBOARD_PAGE } from './app-protocol.js';

// The dashboard window's protections, apart from Electron's runtime (types only), so they
// are tested with fakes of its objects: the renderer shows text that came from MCP servers,
// so it gets no Node, an isolated world, the OS sandbox, and no way to navigate elsewhere
// or open windows.

/** The renderer's webPreferences: each line is one of Electron's security recommendations. */
export function dashboardWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

type PermissionCallback = (granted: boolean) => void;

/** What the guards use of a webContents (Electron's, or a test's fake). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: {
    setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: PermissionCallback) => void): void;
    setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  };
}

export interface DashboardGuards {
  /** DASHBOARD_PAGE. */
  page: string;
  /** shell.openExternal, injected. */
  openExternal(url: string): Promise<void>;
  /** Whether a link the page opens is one the engine gave it to open (pendingLoginLinks). */
  mayOpenExternally(url: string): Promise<boolean>;
}

/**
 * The only link the dashboard opens outside itself is a pending OAuth login's authorization
 * URL ("Open the sign-in page again"); the engine checked it when the login started
 * (https, or http on this machine). Anything else a page asks to open is refused.
 */
export function pendingLoginLinks(service: Pick<DashboardService, 'oauthLogins'>): (url: string) => Promise<boolean> {
  return async (url) => {
    const logins = await service.oauthLogins().catch(() => []);
    // Compared as URLs: Chromium hands over the link in its canonical form (host in lower
    // case, default port dropped, spaces escaped), which the engine's text may not be in.
    const asked = canonicalUrl(url);
    return asked !== null && logins.some((row) => typeof row.pending?.authorizationUrl === 'string' && canonicalUrl(row.pending.authorizationUrl) === asked);
  };
}

function canonicalUrl(text: string): string | null {
  try {
    return new URL(text).href;
  } catch {
    return null;
  }
}

async function openIfGiven(guards: DashboardGuards, url: string): Promise<void> {
  if (!/^https?:\/\//.test(url) || !(await guards.mayOpenExternally(url))) return;
  await guards.openExternal(url);
}

/**
 * Whether `url` is the dashboard page itself, at any of its #/routes. The whole URL is
 * compared, not a prefix: `index.html` is one of `index.html.bak/`, a page that is not ours.
 */
export function isDashboardPage(page: string, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  parsed.hash = '';
  return parsed.href === new URL(page).href;
}

/** Navigation, new windows and permission requests of the dashboard's webContents. */
export function guardDashboardContents(contents: GuardedContents, guards: DashboardGuards): void {
  contents.on('will-navigate', (event, url) => {
    if (!isDashboardPage(guards.page, url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    // Nothing opens inside the app; a link the engine gave out opens in the system browser.
    // Any other URL stays shut: the page shows servers' text, and a script slipped into it
    // must not send the user's browser to a page of its choosing.
    void openIfGiven(guards, url);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  // Checks too: without a handler Electron answers every check with yes, and some APIs
  // (HID, serial, USB, clipboard) go by the check alone, never asking.
  contents.session.setPermissionCheckHandler(() => false);
}

/** Only our own page (the dashboard's index.html, top frame) may call the API. */
export function trustedSender(page: string = DASHBOARD_PAGE): (event: IpcMainInvokeEvent) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && isDashboardPage(page, frame.url);
  };
}
