import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { startControlApi } from '../firewall/api/control-api.js';
import { createDashboardService, type DashboardClientsDeps, type DashboardService } from '../firewall/api/dashboard-service.js';
import { createEngine, type Engine } from '../firewall/engine.js';
import { startShimServer } from '../firewall/ipc/shim-server.js';

export interface EngineHostOptions {
  dataDir: string;
  defaultPolicyFile: string;
  rendererDir: string;
  clients: DashboardClientsDeps;
  /** 0 picks a free port; the CLI finds it in control.json either way. */
  port?: number;
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
  const engine = createEngine({ dataDir: options.dataDir, defaultPolicyFile: options.defaultPolicyFile });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(engine.paths.tokenFile, `${token}\n`, { mode: 0o600 });
  const shims = await startShimServer(engine, engine.paths.socket);
  const api = await startControlApi(engine, { port: options.port ?? 0, token, dashboard: { rendererDir: options.rendererDir, clients: options.clients } });
  writeFileSync(engine.paths.controlFile, JSON.stringify({ port: api.port, socket: engine.paths.socket, pid: process.pid, startedAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
  return {
    engine,
    service: createDashboardService(engine, options.clients),
    port: api.port,
    token,
    async close() {
      rmSync(engine.paths.controlFile, { force: true });
      await api.close();
      await shims.close();
      engine.close();
      rmSync(engine.paths.socket, { force: true });
    },
  };
}
