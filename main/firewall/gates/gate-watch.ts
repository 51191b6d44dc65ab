import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from '../audit/audit-log.js';
import { evaluateGates, type GateStatus } from './gates.js';

export interface GateWatch {
  current(): GateStatus[];
  stop(): void;
}

/**
 * Re-evaluates the gates on a timer and pages (listener + audit row) when one starts
 * paging; a gate that keeps paging is not re-announced every tick.
 */
export function watchGates(db: DatabaseSync, audit: AuditLog, onPage: (gate: GateStatus) => void, intervalMs = 30_000): GateWatch {
  const paging = new Set(evaluateGates(db).filter((g) => g.paging).map((g) => g.id));
  const tick = () => {
    for (const gate of evaluateGates(db)) {
      if (gate.paging && !paging.has(gate.id)) {
        paging.add(gate.id);
        audit.append({ event: 'gate', decision: 'PAGE', ruleId: gate.id, reason: `${gate.name}: ${gate.detail} (pages when ${gate.pageCondition}; owner ${gate.owner})` });
        onPage(gate);
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
  return { current: () => evaluateGates(db), stop: () => clearInterval(timer) };
}
