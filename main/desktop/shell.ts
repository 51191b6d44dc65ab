import { app, dialog, ipcMain, Menu, nativeImage, net, Notification, protocol, shell, Tray, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { resolveDataDir } from '../firewall/paths.js';
import { createActivityFeed } from './activity-feed.js';
import { APP_SCHEME, createAppProtocolHandler } from './app-protocol.js';
import { createApprovalPrompter } from './adapters/approval-prompter.js';
import { createNotifier, platformNotice } from './adapters/notifier.js';
import { createTrayController } from './adapters/tray-controller.js';
import { dotIcon } from './adapters/dot-icon.js';
import { autoProtectOn } from '../firewall/client-watch.js';
import { startEngineHost, type EngineHost } from './engine-host.js';
import { writeShimLauncher } from './shim-launcher.js';
import { CHANGE_EVENT } from '../../preload/contract.js';
import { registerIpcHandlers } from './ipc/register-handlers.js';
import { openPageScript } from './page-hash.js';
import { openSettings } from './settings.js';
import { createDashboardWindow, trustedSender } from './window.js';
import { pendingLoginLinks } from './window-guards.js';

/** Wires the engine to Electron: every adapter is plain code behind an injected interface. */
export async function startShell(): Promise<{ host: EngineHost; showWindow(page?: string): void }> {
  const root = app.getAppPath();
  const rendererDir = join(root, 'dist', 'renderer');
  const icons = {
    ok: join(root, 'resources', 'icons', 'tray-ok.png'), pending: join(root, 'resources', 'icons', 'tray-pending.png'), emergency: join(root, 'resources', 'icons', 'tray-emergency.png'),
    // No shipped files for these two yet: drawn dots, like the shipped ones.
    paging: nativeImage.createFromBitmap(dotIcon([0x9b, 0x1c, 0x8e]), { width: 32, height: 32, scaleFactor: 2 }),
    paused: nativeImage.createFromBitmap(dotIcon([0x6b, 0x72, 0x80]), { width: 32, height: 32, scaleFactor: 2 }),
  };
  const notifier = createNotifier((n) => new Notification(platformNotice(n, process.platform)).show());
  const settings = openSettings();
  app.setLoginItemSettings({ openAtLogin: settings.get('startAtLogin') });
  const dataDir = resolveDataDir(process.env);
  const host = await startEngineHost({
    dataDir,
    defaultPolicyFile: join(root, 'resources', 'default-policy.yaml'),
    rendererDir,
    // The shim ships unpacked next to the app; client configs launch it with the app's own
    // runtime through a launcher that makes the binary act as Node (shim-launcher.ts).
    onShadowEntry: (row) => notifier.shadowEntry(row, autoProtectOn(host.engine.db)),
    clients: { env: process.env, platform: process.platform, projectDirs: [], runtimePath: writeShimLauncher(dataDir, process.execPath), cliPath: join(root.replace(/app\.asar$/, 'app.asar.unpacked'), 'dist', 'cli.js') },
  });
  // The dashboard's files, and nothing else, at mcp-firewall://dashboard/ (app-protocol.ts).
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir, (url) => net.fetch(url)));
  let win: BrowserWindow | null = null;
  const showWindow = (page?: string) => {
    if (!win || win.isDestroyed()) {
      win = createDashboardWindow({ preload: join(root, 'dist', 'desktop', 'preload.cjs'), bounds: settings.get('window'), mayOpenExternally: pendingLoginLinks(host.service) });
      win.on('close', () => settings.set('window', win!.getBounds()));
    }
    if (page) void win.webContents.executeJavaScript(openPageScript(page));
    win.show();
    win.focus();
  };
  // An OAuth login's authorization URL opens in the user's own browser, where their sessions are.
  registerIpcHandlers(ipcMain, host.service, trustedSender(), { openExternal: (url) => shell.openExternal(url) });
  // "Show all arguments…" of a dialog whose preview was cut: the dashboard opens at that approval, all of it shown.
  createApprovalPrompter(host.engine.approvals, (options) => dialog.showMessageBox(options), (id) => showWindow(`approvals/${encodeURIComponent(id)}`));
  const tray = createTrayController({
    tray: new Tray(icons.ok),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    icons,
    actions: {
      openDashboard: showWindow,
      protectAll: () => void host.service.protect({}),
      setEmergency: (on) => host.engine.setEmergencyWriteApproval(on, 'tray'),
      setPause: (minutes) => host.engine.pauseProtection(minutes, 'tray'),
      quit: () => app.quit(),
    },
  });
  const feed = createActivityFeed(host.service, 1_000, () => host.engine.gates());
  host.engine.onGatePage((gate) => {
    notifier.gatePaged(gate);
    void feed.tick();
  });
  feed.onUpdate(({ rows, state, topics }) => {
    tray.update(state);
    notifier.handle(rows);
    if (win && !win.isDestroyed()) topics.forEach((topic) => win!.webContents.send(CHANGE_EVENT, topic));
  });
  void feed.tick();
  app.on('before-quit', () => feed.stop());
  return { host, showWindow };
}
