import type { IpcMainInvokeEvent } from 'electron';
import { ARG_SCHEMAS, CHANNELS, type ApiMethod } from '../../../preload/contract.js';
import { callService, type DashboardService } from '../../firewall/api/dashboard-service.js';

/** ipcMain.handle, injected: the handlers are tested without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/**
 * One handler per contract method. Every argument is parsed with the contract's schema
 * and every sender checked: the renderer shows tool output from untrusted servers, so it
 * is treated as untrusted input, not as part of the app.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, service: DashboardService, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
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
      return callService(service, method, parsed);
    });
  }
  return () => methods.forEach((method) => ipcMain.removeHandler(CHANNELS[method]));
}
