import type { DatabaseSync } from 'node:sqlite';
import { evaluateGatesUntilChange, type GateStatus } from './gates.js';

// A safety net, not the mechanism: rows removed behind the engine's back (by hand, with
// sqlite3) move neither the highest id nor a window, so look again at least this often.
const EVALUATE_AT_LEAST_EVERY_MS = 60_000;

interface Evaluated {
  gates: GateStatus[];
  lastRowId: number;
  evaluatedAt: number;
  unchangedUntil: number;
}

/**
 * The gates as evaluateGates gives them, but evaluated again only when something that can
 * change them did: a row was added to the trail (its highest id moved), or time carried a
 * window past a row a gate read. The dashboard asks every second; on a quiet trail the
 * gates' SQL now runs when a window edge comes due, not on every ask.
 */
export function cachedGateEvaluator(db: DatabaseSync): (now?: number) => GateStatus[] {
  // MAX over the rowid is one b-tree descent, whatever the size of the trail.
  const highestRowId = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM mcp_audit');
  let last: Evaluated | undefined;
  return (now = Date.now()) => {
    // Read before evaluating: a row added in between makes the next call evaluate again.
    const lastRowId = Number((highestRowId.get() as { id: number }).id);
    // `now < evaluatedAt`: the clock was set back, and the windows with it.
    if (last && last.lastRowId === lastRowId && now >= last.evaluatedAt && now < last.unchangedUntil) return last.gates;
    const { gates, unchangedUntil } = evaluateGatesUntilChange(db, now);
    last = { gates, lastRowId, evaluatedAt: now, unchangedUntil: Math.min(unchangedUntil, now + EVALUATE_AT_LEAST_EVERY_MS) };
    return gates;
  };
}
