import { realpathSync } from 'node:fs';
import { createEngineStore } from '../../firewall/engine-store.js';
import { remoteStanding } from '../../firewall/registry/remote-proposal.js';
import { loadRouteKey } from '../../firewall/route-key.js';
import { resolveDataDir } from '../../firewall/paths.js';
import type { CommandHandler } from '../command.js';
import { readControlInfo } from '../control-client.js';
import { createProtectCommand, createUnprotectCommand } from './protect.js';
import { createScanCommand, type ClientCommandDeps } from './scan.js';

// serve's default port (not imported: that would load the whole engine host into these commands).
const DEFAULT_PORT = 7337;

/**
 * scan / protect / unprotect with the real registry. Protecting approves the server
 * with the launch line the client config held before we rewrote it, pinned at once (a
 * person ran protect: another line under a pinned name goes beside it, see
 * registry.approveLaunch). A remote server is not approved: its
 * original URL is left as a proposal, since `/mcp/NAME` dials whatever URL is pinned
 * and that is for a person to confirm (`registry approve NAME`).
 */
function withStore(build: (deps: () => ClientCommandDeps) => CommandHandler): CommandHandler {
  return async (args, io) => {
    const store = createEngineStore(io.env);
    let key: string | undefined;
    try {
      const deps: ClientCommandDeps = {
        runtimePath: process.execPath,
        cliPath: realpathSync(process.argv[1]!),
        registry: { isRegistered: (name) => store.registry.get(name)?.enabled === true },
        registerServer: (name, launch) => store.approveRoutedLaunch(name, launch, 'protect'),
        remote: {
          // The port a running engine announced, else the one `serve` will take by default.
          port: readControlInfo(io.env)?.info.port ?? DEFAULT_PORT,
          // Read (and made, on first use) only when an entry is routed: a scan of configs
          // with no remote server leaves the data dir as it was.
          get key() {
            return (key ??= loadRouteKey(resolveDataDir(io.env)));
          },
          standing: (name, url) => remoteStanding(store.registry, name, url),
          propose: (name, url, client) => store.proposeRemote(name, url, client),
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
