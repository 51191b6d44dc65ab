import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { startControlApi } from '../firewall/api/control-api.js';
import { createDashboardService, type DashboardClientsDeps, type DashboardService } from '../firewall/api/dashboard-service.js';
import { startClientWatch } from '../firewall/client-watch.js';
import type { ScanRow } from '../firewall/clients/index.js';
import { createEngine, type Engine } from '../firewall/engine.js';
import { startShimServer } from '../firewall/ipc/shim-server.js';

export interface EngineHostOptions {
  dataDir: string;
  defaultPolicyFile: string;
  rendererDir: string;
  clients: DashboardClientsDeps;
  /** 0 picks a free port; the CLI finds it in control.json either way. */
  port?: number;
  /** An unprotected entry appeared in a client config (a shadow server); auto-protect may already be on it. */
  onShadowEntry?: (row: ScanRow) => void;
  /** How often client configs are re-read; `serve` uses the same 2 s default. */
  configPollMs?: number;
  gateIntervalMs?: number;
}

export interface EngineHost {
  engine: Engine;
  service: DashboardService;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * What `mcp-firewall serve` runs, inside the Electron main process: the shims, the CLI
 * and a browser reach this engine exactly as they reach a headless one.
 */
export async function startEngineHost(options: EngineHostOptions): Promise<EngineHost> {
  const engine = createEngine({ dataDir: options.dataDir, defaultPolicyFile: options.defaultPolicyFile, ...(options.gateIntervalMs ? { gateIntervalMs: options.gateIntervalMs } : {}) });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(engine.paths.tokenFile, `${token}\n`, { mode: 0o600 });
  const shims = await startShimServer(engine, engine.paths.socket);
  const api = await startControlApi(engine, { port: options.port ?? 0, token, dashboard: { rendererDir: options.rendererDir, clients: options.clients } });
  // The same watch `serve` runs: configs rewritten behind our back (an installer, a
  // settings sync) are audited as shadow entries and, with auto-protect on, fixed again.
  const clientWatch = startClientWatch(engine, options.clients, (row) => options.onShadowEntry?.(row), options.configPollMs ?? 2_000);
  writeFileSync(engine.paths.controlFile, JSON.stringify({ port: api.port, socket: engine.paths.socket, pid: process.pid, startedAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
  return {
    engine,
    service: createDashboardService(engine, options.clients),
    port: api.port,
    token,
    async close() {
      rmSync(engine.paths.controlFile, { force: true });
      clientWatch.stop();
      await api.close();
      await shims.close();
      engine.close();
      rmSync(engine.paths.socket, { force: true });
    },
  };
}
