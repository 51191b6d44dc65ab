import type { IpcMainInvokeEvent } from 'electron';
import { ARG_SCHEMAS, CHANNELS, type ApiMethod, type OAuthLoginStarted } from '../../../preload/contract.js';
import { callService, type DashboardService } from '../../firewall/api/dashboard-service.js';

/** ipcMain.handle, injected: the handlers are tested without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** What only the desktop shell can do for a method's result (shell.openExternal, injected). */
export interface DesktopHooks {
  openExternal?: (url: string) => Promise<void>;
}

/** The authorization URL of a login goes to the system browser: the app never opens pages itself. */
async function openLoginUrl(result: unknown, hooks: DesktopHooks): Promise<unknown> {
  const started = result as OAuthLoginStarted;
  if (!hooks.openExternal || !/^https?:\/\//.test(started.authorizationUrl)) return started;
  await hooks.openExternal(started.authorizationUrl);
  return { ...started, opened: true };
}

/**
 * One handler per contract method. Every argument is parsed with the contract's schema
 * and every sender checked: the renderer shows tool output from untrusted servers, so it
 * is treated as untrusted input, not as part of the app.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, service: DashboardService, isTrustedSender: (event: IpcMainInvokeEvent) => boolean, hooks: DesktopHooks = {}): () => void {
  const methods = Object.keys(CHANNELS) as ApiMethod[];
  for (const method of methods) {
    ipcMain.handle(CHANNELS[method], async (event, arg) => {
      if (!isTrustedSender(event)) throw new Error('refused: IPC from a frame that is not the dashboard');
      const schema = ARG_SCHEMAS[method];
      let parsed: unknown;
      if (schema) {
        const result = schema.safeParse(arg ?? {});
        if (!result.success) throw new Error(`invalid arguments for ${method}: ${result.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('; ')}`);
        parsed = result.data;
      }
      const result = await callService(service, method, parsed);
      return method === 'startOAuthLogin' ? openLoginUrl(result, hooks) : result;
    });
  }
  return () => methods.forEach((method) => ipcMain.removeHandler(CHANNELS[method]));
}
