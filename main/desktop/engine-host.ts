import { createDashboardService, type DashboardClientsDeps, type DashboardService } from '../firewall/api/dashboard-service.js';
import type { EditReport, ScanRow } from '../firewall/clients/index.js';
import type { Engine } from '../firewall/engine.js';
import { startFirewallHost } from '../firewall/host.js';

export interface EngineHostOptions {
  dataDir: string;
  defaultPolicyFile: string;
  rendererDir: string;
  clients: DashboardClientsDeps;
  /**
   * Defaults to serve's 7337, so remote servers routed by `protect` (their URL names the
   * port) keep working across restarts; if it is taken, a free port (the CLI and shims
   * find it in control.json either way), and the routes are moved to it. 0 always picks a free one.
   */
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
  /** Routes protect wrote for another port, moved to `port` at start (firewall/repoint-at-start.ts). */
  staleRoutes: EditReport;
  close(): Promise<void>;
}

/**
 * What `mcp-firewall serve` runs, inside the Electron main process: the shims, the CLI
 * and a browser reach this engine exactly as they reach a headless one.
 */
export async function startEngineHost(options: EngineHostOptions): Promise<EngineHost> {
  const preferred = options.port ?? DEFAULT_PORT;
  try {
    return await startOnPort(options, preferred);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || preferred === 0) throw error;
    return startOnPort(options, 0);
  }
}

/** serve's default (main/cli/commands/serve.ts), not imported: that would pull the CLI into the app. */
const DEFAULT_PORT = 7337;

async function startOnPort(options: EngineHostOptions, port: number): Promise<EngineHost> {
  const host = await startFirewallHost({
    dataDir: options.dataDir,
    defaultPolicyFile: options.defaultPolicyFile,
    port,
    clients: options.clients,
    rendererDir: options.rendererDir,
    ...(options.gateIntervalMs ? { gateIntervalMs: options.gateIntervalMs } : {}),
    ...(options.configPollMs ? { configPollMs: options.configPollMs } : {}),
    // Configs rewritten behind our back (an installer, a settings sync) are shadow entries.
    ...(options.onShadowEntry ? { onShadowEntry: options.onShadowEntry } : {}),
  });
  return {
    engine: host.engine,
    service: createDashboardService(host.engine, options.clients, () => host.port),
    port: host.port,
    token: host.token,
    staleRoutes: host.staleRoutes,
    close: () => host.close(),
  };
}
