import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from '../audit/audit-log.js';
import { cachedGateEvaluator } from './gate-cache.js';
import type { GateStatus } from './gates.js';

export interface GateWatch {
  current(): GateStatus[];
  stop(): void;
}

/**
 * Re-evaluates the gates on a timer and pages (listener + audit row) when one starts
 * paging; a gate that keeps paging is not re-announced every tick. The timer and
 * current() share one cache, so neither runs the gates' SQL unless the trail or a
 * window moved.
 */
export function watchGates(db: DatabaseSync, audit: AuditLog, onPage: (gate: GateStatus) => void, intervalMs = 30_000): GateWatch {
  const gatesNow = cachedGateEvaluator(db);
  // A gate paging at start was announced already only if the trail's last word on it is a
  // PAGE: an engine restarted mid-incident, or one that died before paging, pages again.
  const lastWord = db.prepare("SELECT decision FROM mcp_audit WHERE event = 'gate' AND rule_id = ? ORDER BY id DESC LIMIT 1");
  const announced = (id: string) => (lastWord.get(id) as { decision: string } | undefined)?.decision === 'PAGE';
  const paging = new Set(gatesNow().filter((g) => g.paging && announced(g.id)).map((g) => g.id));
  const tick = () => {
    for (const gate of gatesNow()) {
      if (gate.paging && !paging.has(gate.id)) {
        audit.append({ event: 'gate', decision: 'PAGE', ruleId: gate.id, reason: `${gate.name}: ${gate.detail} (pages when ${gate.pageCondition}; owner ${gate.owner})` });
        onPage(gate);
        // Only now: a page whose row or notice failed is tried again on the next tick.
        paging.add(gate.id);
      } else if (!gate.paging && paging.delete(gate.id)) {
        audit.append({ event: 'gate', decision: 'CLEAR', ruleId: gate.id, reason: `${gate.name} back within target` });
      }
    }
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch {
      // the audit could not be read this time; the next tick tries again
    }
  }, intervalMs);
  timer.unref();
  return { current: () => gatesNow(), stop: () => clearInterval(timer) };
}
