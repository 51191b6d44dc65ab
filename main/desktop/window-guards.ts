import type { IpcMainInvokeEvent, WebPreferences } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/** The dashboard's one page: index.html under the renderer dir, as a file:// URL. */
export function dashboardPage(rendererDir: string): string {
  return pathToFileURL(join(rendererDir, 'index.html')).href;
}

type PermissionCallback = (granted: boolean) => void;

/** What the guards use of a webContents (Electron's, or a test's fake). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: {
    setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: PermissionCallback) => void): void;
  };
}

export interface DashboardGuards {
  /** dashboardPage(rendererDir). */
  page: string;
  /** shell.openExternal, injected. */
  openExternal(url: string): Promise<void>;
}

/**
 * Whether `url` is the dashboard page itself, at any of its #/routes. The whole URL is
 * compared, not a prefix: `file:///app/dist/renderer` is a prefix of `renderer-old/` and
 * `index.html` one of `index.html.bak/`, pages that are not ours.
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
    // Links to docs open in the real browser; nothing opens inside the app.
    if (/^https:\/\//.test(url)) void guards.openExternal(url);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

/** Only our own page (the dashboard's index.html, top frame) may call the API. */
export function trustedSender(rendererDir: string): (event: IpcMainInvokeEvent) => boolean {
  const page = dashboardPage(rendererDir);
  return (event) => {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && isDashboardPage(page, frame.url);
  };
}
