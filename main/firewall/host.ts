import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startControlApi } from './api/control-api.js';
import type { DashboardClientsDeps } from './api/dashboard-service.js';
import { startClientWatch } from './client-watch.js';
import { atomicWrite } from './clients/file-io.js';
import type { EditReport, ScanRow } from './clients/index.js';
import { createEngine, type Engine } from './engine.js';
import { createKeytarStore } from './identity/keytar-store.js';
import { revokeHeldCredentials } from './identity/revoke-held.js';
import { createSecretIndex } from './identity/secret-index.js';
import { createSecrets, type Secrets } from './identity/secrets.js';
import { startShimServer } from './ipc/shim-server.js';
import { repointRoutesAtStart } from './repoint-at-start.js';

export interface FirewallHostOptions {
  dataDir: string;
  defaultPolicyFile: string;
  policyFile?: string;
  /** 0 picks a free port; clients of the API find it in control.json either way. */
  port: number;
  /** Where protected client configs launch the shim from (this runtime and cli, or the desktop app's). */
  clients: DashboardClientsDeps;
  rendererDir?: string;
  progressIntervalMs?: number;
  gateIntervalMs?: number;
  configPollMs?: number;
  onShadowEntry?: (row: ScanRow) => void;
  /** What a person running the engine should know (see EngineOptions.onNotice). */
  onNotice?: (message: string) => void;
  /** Runs when everything listens, before control.json announces us (install signal handlers here). */
  beforeAnnounce?: () => void;
}

export interface FirewallHost {
  engine: Engine;
  port: number;
  token: string;
  /** Routes protect wrote for another port, moved to `port` before control.json appeared (repoint-at-start.ts). */
  staleRoutes: EditReport;
  close(): Promise<void>;
}

/**
 * The engine with everything around it — keychain secrets, the shim socket, the control
 * API and dashboard, the client-config watch, control.json — as `mcp-firewall serve` and
 * the desktop app both run it. Throws PolicyLoadError on a broken policy and the listen
 * error (EADDRINUSE…) when the port is taken, having cleaned up after itself.
 */
export async function startFirewallHost(options: FirewallHostOptions): Promise<FirewallHost> {
  const keychain = createKeytarStore();
  // Bound right after createEngine (the index lives in the engine's database), before any shim can connect.
  const bound: { secrets?: Secrets } = {};
  const engine = createEngine({
    dataDir: options.dataDir,
    defaultPolicyFile: options.defaultPolicyFile,
    secretStore: keychain,
    secretEnv: (server) => (bound.secrets ? bound.secrets.envFor(server) : Promise.reject(new Error('secrets not ready'))),
    revokeTokens: async (audience) => {
      if (!bound.secrets) return { revoked: [], authorizationServer: null };
      return revokeHeldCredentials(audience, { secrets: bound.secrets, store: keychain, audit: engine.audit, lock: engine.credentialsLock });
    },
    ...(options.policyFile ? { policyFile: options.policyFile } : {}),
    ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.gateIntervalMs ? { gateIntervalMs: options.gateIntervalMs } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
  });
  bound.secrets = createSecrets({ store: keychain, index: createSecretIndex(engine.db), audit: engine.audit });
  const token = randomBytes(32).toString('base64url');
  announce(engine.paths.tokenFile, `${token}\n`);
  const shims = await startShimServer(engine, engine.paths.socket);
  let api;
  try {
    api = await startControlApi(engine, { port: options.port, token, dashboard: { clients: options.clients, ...(options.rendererDir ? { rendererDir: options.rendererDir } : {}) } });
  } catch (error) {
    await shims.close();
    engine.close();
    throw error;
  }
  // Before the watch starts, so its first look sees the routes where they now point.
  const staleRoutes = await repointRoutesAtStart(engine, options.clients, api.port);
  const clientWatch = startClientWatch(engine, options.clients, (row) => options.onShadowEntry?.(row), options.configPollMs ?? 2_000, api.port);
  options.beforeAnnounce?.();
  announce(engine.paths.controlFile, JSON.stringify({ port: api.port, socket: engine.paths.socket, pid: process.pid, startedAt: new Date().toISOString() }, null, 2));
  let closed = false;
  return {
    engine,
    port: api.port,
    token,
    staleRoutes,
    async close() {
      if (closed) return;
      closed = true;
      rmSync(engine.paths.controlFile, { force: true });
      clientWatch.stop();
      await api.close();
      await shims.close();
      engine.close();
      rmSync(engine.paths.socket, { force: true });
    },
  };
}

/**
 * The CLI, the desktop app and tests read these files the moment they appear, so they are
 * replaced whole (a rewrite in place let a reader see half of control.json). A file a
 * crashed engine left is removed first: atomicWrite keeps an existing file's mode, and
 * these must be 0600 whatever the old one was.
 */
function announce(path: string, data: string): void {
  rmSync(path, { force: true });
  atomicWrite(path, data, 0o600);
}
