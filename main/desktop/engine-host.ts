import { createDashboardService, type DashboardClientsDeps, type DashboardService } from '../firewall/api/dashboard-service.js';
import type { ScanRow } from '../firewall/clients/index.js';
import type { Engine } from '../firewall/engine.js';
import { startFirewallHost } from '../firewall/host.js';

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
  const host = await startFirewallHost({
    dataDir: options.dataDir,
    defaultPolicyFile: options.defaultPolicyFile,
    port: options.port ?? 0,
    clients: options.clients,
    rendererDir: options.rendererDir,
    ...(options.gateIntervalMs ? { gateIntervalMs: options.gateIntervalMs } : {}),
    ...(options.configPollMs ? { configPollMs: options.configPollMs } : {}),
    // Configs rewritten behind our back (an installer, a settings sync) are shadow entries.
    ...(options.onShadowEntry ? { onShadowEntry: options.onShadowEntry } : {}),
  });
  return {
    engine: host.engine,
    service: createDashboardService(host.engine, options.clients),
    port: host.port,
    token: host.token,
    close: () => host.close(),
  };
}
