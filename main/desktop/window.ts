import { BrowserWindow, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WindowOptions {
  rendererDir: string;
  preload: string;
  bounds?: { width: number; height: number; x?: number; y?: number };
}

/**
 * The dashboard window, hardened: the renderer shows text that came from MCP servers, so
 * it gets no Node, an isolated world, the OS sandbox, and no way to navigate elsewhere
 * or open windows.
 */
export function createDashboardWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: options.bounds?.width ?? 1200,
    height: options.bounds?.height ?? 800,
    ...(options.bounds?.x !== undefined ? { x: options.bounds.x, y: options.bounds.y } : {}),
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'MCP Firewall',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const index = pathToFileURL(join(options.rendererDir, 'index.html')).href;
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(index)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to docs open in the real browser; nothing opens inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(index);
  return win;
}

/** Only our own page (file:// under the renderer dir, top frame) may call the API. */
export function trustedSender(rendererDir: string): (event: IpcMainInvokeEvent) => boolean {
  const prefix = pathToFileURL(rendererDir).href;
  return (event) => {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && frame.url.startsWith(prefix);
  };
}
