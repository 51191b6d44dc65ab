import type { DashboardClientsDeps } from './api/dashboard-service.js';
import { engineClientsDeps } from './client-watch.js';
import { repointStaleRoutes, type EditReport } from './clients/index.js';
import type { Engine } from './engine.js';

const ACTOR = 'engine-start';

const EMPTY: EditReport = { entries: [], errors: [], backups: [] };

/**
 * Routed remote entries name the port the engine had when `protect` wrote them, and the
 * port changes: the desktop app falls back to a free one when 7337 is taken, `serve
 * --port` puts it anywhere. So at every start the routes `protect` wrote for another port
 * are moved to the one the engine got: left alone, their client's traffic (and its
 * headers) would go to whatever listens on the old port. Only our own routes move
 * (clients/stale-route.ts); nothing is protected anew. So are our wrap lines whose node or
 * cli.js is gone (a Node upgrade, a moved checkout): they move to the ones this engine runs
 * (clients/stale-wrap.ts), audited under the same rule. Audited, never fatal: the engine
 * runs either way and `scan` keeps showing an entry this could not move.
 */
export async function repointRoutesAtStart(engine: Engine, clients: DashboardClientsDeps, port: number): Promise<EditReport> {
  let report: EditReport;
  try {
    // Unattended (no person ran it), though it approves nothing: only new wraps are approved.
    report = await repointStaleRoutes(engineClientsDeps(engine, clients, ACTOR, () => port, false)());
  } catch (error) {
    engine.record({ event: 'registry', decision: 'ERROR', actorId: ACTOR, ruleId: 'stale-route', reason: `re-pointing routes to port ${port} failed: ${(error as Error).message}` });
    return EMPTY;
  }
  for (const entry of report.entries) {
    engine.record({
      event: 'registry', decision: entry.outcome === 'repointed' ? 'REPOINTED' : 'STALE_ROUTE', actorId: ACTOR, client: entry.client, serverName: entry.name, ruleId: 'stale-route',
      reason: `${entry.file}: ${entry.route ? `${entry.route.from} -> ${entry.route.to}` : (entry.detail ?? entry.outcome)}`,
    });
  }
  for (const error of report.errors) {
    engine.record({ event: 'registry', decision: 'ERROR', actorId: ACTOR, client: error.client, ruleId: 'stale-route', reason: `re-pointing routes in ${error.file}: ${error.message}` });
  }
  return report;
}
