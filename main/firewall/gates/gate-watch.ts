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
  // The trail's last word on each gate: a PAGE means the page was written (and announced)
  // already. An engine restarted mid-incident does not page again; one that died before
  // paging does; and a gate that cleared while no engine ran gets its CLEAR on the first tick.
  const lastWord = db.prepare("SELECT decision FROM mcp_audit WHERE event = 'gate' AND rule_id = ? ORDER BY id DESC LIMIT 1");
  const announced = (id: string) => (lastWord.get(id) as { decision: string } | undefined)?.decision === 'PAGE';
  // Gates whose PAGE row is written (so a CLEAR is owed), and those whose notice went out.
  const paging = new Set(gatesNow().filter((g) => announced(g.id)).map((g) => g.id));
  const notified = new Set(paging);
  const step = (gate: GateStatus) => {
    if (gate.paging) {
      // One PAGE row per transition: a notice that failed is tried again, the row is not written again.
      if (!paging.has(gate.id)) {
        audit.append({ event: 'gate', decision: 'PAGE', ruleId: gate.id, reason: `${gate.name}: ${gate.detail} (pages when ${gate.pageCondition}; owner ${gate.owner})` });
        paging.add(gate.id);
      }
      if (!notified.has(gate.id)) {
        onPage(gate);
        // Only now: a page whose notice failed is tried again on the next tick.
        notified.add(gate.id);
      }
    } else if (paging.has(gate.id)) {
      audit.append({ event: 'gate', decision: 'CLEAR', ruleId: gate.id, reason: `${gate.name} back within target` });
      paging.delete(gate.id);
      notified.delete(gate.id);
    }
  };
  const tick = () => {
    for (const gate of gatesNow()) {
      try {
        step(gate);
      } catch {
        // This gate's row or notice failed: tried again next tick, and the gates after it still page.
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
