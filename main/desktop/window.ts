import { BrowserWindow, shell } from 'electron';
import { DASHBOARD_PAGE } from './app-protocol.js';
import { dashboardWebPreferences, guardDashboardContents } from './window-guards.js';

export { trustedSender } from './window-guards.js';

export interface WindowOptions {
  preload: string;
  bounds?: { width: number; height: number; x?: number; y?: number };
  /** Links the page may open in the system browser (window-guards.ts pendingLoginLinks). */
  mayOpenExternally(url: string): Promise<boolean>;
}

/** The dashboard window (served by app-protocol.ts), hardened (window-guards.ts). */
export function createDashboardWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: options.bounds?.width ?? 1200,
    height: options.bounds?.height ?? 800,
    ...(options.bounds?.x !== undefined ? { x: options.bounds.x, y: options.bounds.y } : {}),
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'MCP Firewall',
    webPreferences: dashboardWebPreferences(options.preload),
  });
  const page = DASHBOARD_PAGE;
  guardDashboardContents(win.webContents, { page, openExternal: (url) => shell.openExternal(url), mayOpenExternally: options.mayOpenExternally });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(page);
  return win;
}
