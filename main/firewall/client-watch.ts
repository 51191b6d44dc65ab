import type { DatabaseSync } from 'node:sqlite';
import type { Engine } from './engine.js';
import { protectClients, watchClientConfigs, type ClientContext, type ClientsDeps, type ConfigWatch, type ScanRow } from './clients/index.js';
import type { RemoteRoutes } from './clients/types.js';
import { approveRoutedLaunch } from './registry/registry-actions.js';
import { proposeRemote, remoteStanding } from './registry/remote-proposal.js';
import { getSetting } from './store/database.js';

export const AUTO_PROTECT_KEY = 'auto_protect';

/** Whether unprotected entries that appear are routed again (`watch auto-protect on`). */
export const autoProtectOn = (db: DatabaseSync): boolean => getSetting(db, AUTO_PROTECT_KEY) === 'on';

/** What an unprotect says while auto-protect is on: the running engine routes the entries again. */
export const AUTO_PROTECT_UNDOES_UNPROTECT =
  'auto-protect is on, so the running engine routes this entry through the firewall again within seconds; to keep it unprotected, turn it off first: mcp-firewall watch auto-protect off';

/** Where protected configs point (this runtime and cli, or the desktop app's own). */
export interface ClientLaunch extends ClientContext {
  runtimePath: string;
  cliPath: string;
}

/**
 * Client-config deps backed by the engine's registry: protecting a local server approves
 * it. Given the port the engine serves `/mcp/NAME` on, remote entries are routed too,
 * their URL left as a proposal a person approves (clients/remote-route.ts).
 * `attended`: a person asked for this (CLI, dashboard); auto-protect is not, so a launch
 * line other than the approved one is only proposed (registry.approveLaunch).
 */
export function engineClientsDeps(engine: Engine, launch: ClientLaunch, actor: string, port?: () => number, attended = true): () => ClientsDeps {
  return () => ({
    ...launch,
    dataDir: engine.paths.dir,
    registry: { isRegistered: (name) => engine.registry.get(name)?.enabled === true },
    registerServer: (name, routed) => approveRoutedLaunch(engine.registry, engine.audit, name, routed, actor, attended),
    ...(port && port() > 0 ? { remote: engineRemoteRoutes(engine, port()) } : {}),
    // Unprotect puts the secrets protect --move-secrets moved back into a file it restores whole.
    ...(engine.secretStore ? { readSecret: (server: string, name: string) => engine.secretStore!.get({ server, name }) } : {}),
  });
}

function engineRemoteRoutes(engine: Engine, port: number): RemoteRoutes {
  return {
    port,
    key: engine.routeKey,
    standing: (name, url) => remoteStanding(engine.registry, name, url),
    propose: (name, url, client) => proposeRemote(engine.registry, engine.audit, name, url, client),
  };
}

/**
 * The engine's eye on client configs: an unprotected entry that appears is a shadow
 * server — audited, announced, and protected again when the user turned auto-protect on
 * (`mcp-firewall watch auto-protect on`).
 */
export function startClientWatch(engine: Engine, launch: ClientLaunch, announce: (row: ScanRow) => void, intervalMs: number, port?: number): ConfigWatch {
  const deps = engineClientsDeps(engine, launch, 'auto-protect', port === undefined ? undefined : () => port, false);
  return watchClientConfigs(
    deps,
    {
      onShadowEntry(row) {
        engine.record({
          event: 'registry', decision: 'SHADOW_ENTRY', serverName: row.name, client: row.client, ruleId: 'client-config-watch',
          reason: `unprotected server entry '${row.name}' appeared in ${row.file}`,
        });
        announce(row);
      },
      autoProtect: () => autoProtectOn(engine.db),
      protect(client) {
        return protectClients(deps(), { client }).then(
          (report) => engine.record({
            event: 'registry', decision: report.errors.length > 0 ? 'ERROR' : 'REPROTECTED', client, ruleId: 'client-config-watch',
            reason: `auto-protect: ${report.entries.length} entries of ${client} checked, ${report.errors.length} error(s)${report.errors.map((e) => `; ${e.file}: ${e.message}`).join('')}`,
          }),
          (error: Error) => engine.record({ event: 'registry', decision: 'ERROR', client, ruleId: 'client-config-watch', reason: `auto-protect failed: ${error.message}` }),
        );
      },
    },
    intervalMs,
  );
}
