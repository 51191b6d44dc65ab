import type { DatabaseSync } from 'node:sqlite';
import { createAuditLog } from './audit/audit-log.js';
import { dataPaths, resolveDataDir } from './paths.js';
import { approveRoutedLaunch, setServerEnabled } from './registry/registry-actions.js';
import { forgetStoredGrants } from './approvals/approval-queue.js';
import { approveServerForgettingGrants, type ServerApproval } from './approvals/replaced-launch-grants.js';
import { proposeRemote, type RemoteAddress } from './registry/remote-proposal.js';
import { createRegistry, type ApproveOptions, type LaunchApproval, type LaunchFingerprint, type Registry, type RegistryEntry } from './registry/registry.js';
import { openDatabase } from './store/database.js';

/** The engine's store without the engine: for CLI edits while `serve` is not running. */
export interface EngineStore {
  db: DatabaseSync;
  registry: Registry;
  /** As the engine's: one that drops a launch line forgets the server's "always" answers (no engine: no session ones, no calls waiting). */
  approveServer(name: string, actor: string, options?: ApproveOptions, pin?: LaunchFingerprint): ServerApproval;
  /** A local launch line `protect` routed through the firewall (registry.approveLaunch). */
  approveRoutedLaunch(name: string, launch: LaunchFingerprint, actor: string): LaunchApproval;
  setServerEnabled(name: string, enabled: boolean, actor: string): RegistryEntry | null;
  /** A remote entry `protect` routed: its URL waits for `registry approve NAME` (audited). */
  proposeRemote(name: string, address: RemoteAddress, client: string): void;
  close(): void;
}

export function createEngineStore(env: NodeJS.ProcessEnv): EngineStore {
  const db = openDatabase(dataPaths(resolveDataDir(env)).database);
  const audit = createAuditLog(db);
  const registry = createRegistry(db);
  return {
    db,
    registry,
    approveServer: (name, actor, options, pin) => approveServerForgettingGrants({ registry, audit, forgetGrants: (server) => forgetStoredGrants(db, server), cancelWaiting: () => 0 }, name, actor, options, pin),
    // Only the CLI's protect uses the store: a person ran it.
    approveRoutedLaunch: (name, launch, actor) => approveRoutedLaunch(registry, audit, name, launch, actor, true),
    setServerEnabled: (name, enabled, actor) => setServerEnabled(registry, audit, name, enabled, actor),
    proposeRemote: (name, url, client) => proposeRemote(registry, audit, name, url, client),
    close: () => db.close(),
  };
}
