import { app, dialog, protocol } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app-protocol.js';
import { startShell } from './shell.js';

// The Electron entry: one instance per user (two engines would fight over the socket and
// the audit chain), the engine in this process, and the tray as the app's home.

// Before ready, or the scheme is not standard: the dashboard's own origin (app-protocol.ts).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let shell: Awaited<ReturnType<typeof startShell>> | null = null;
  let quitting = false;

  app.on('second-instance', () => shell?.showWindow());
  // Closing the dashboard keeps the firewall running in the tray.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting || !shell) return;
    event.preventDefault();
    quitting = true;
    void shell.host.close().finally(() => app.quit());
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  app.whenReady().then(async () => {
    try {
      shell = await startShell();
      shell.showWindow();
    } catch (error) {
      dialog.showErrorBox('MCP Firewall cannot start', (error as Error).message);
      app.exit(1);
    }
  }, () => app.exit(1));
}
