import { realpathSync } from 'node:fs';
import { createEngineStore } from '../../firewall/engine-store.js';
import type { CommandHandler } from '../command.js';
import { createProtectCommand, createUnprotectCommand } from './protect.js';
import { createScanCommand, type ClientCommandDeps } from './scan.js';

/**
 * scan / protect / unprotect with the real registry. Protecting approves the server;
 * its launch line is pinned the first time it runs through the shim (the same line
 * the client config held before we rewrote it).
 */
function withStore(build: (deps: () => ClientCommandDeps) => CommandHandler): CommandHandler {
  return async (args, io) => {
    const store = createEngineStore(io.env);
    try {
      const deps: ClientCommandDeps = {
        runtimePath: process.execPath,
        cliPath: realpathSync(process.argv[1]!),
        registry: { isRegistered: (name) => store.registry.get(name)?.enabled === true },
        registerServer: (name) => {
          if (!store.registry.get(name)) store.approveServer(name, 'protect');
        },
      };
      return await build(() => deps)(args, io);
    } finally {
      store.close();
    }
  };
}

export const scanCommand = withStore(createScanCommand);
export const protectCommand = withStore(createProtectCommand);
export const unprotectCommand = withStore(createUnprotectCommand);
