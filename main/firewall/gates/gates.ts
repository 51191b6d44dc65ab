import type { DatabaseSync } from 'node:sqlite';
import type { GateStatus } from './gate-status.js';

// The seed's five detection gates, computed from the audit trail. Strict on purpose
// during rollout: "relaxing thresholds is easy later".
export type { GateStatus };

interface GateSpec {
  id: string;
  name: string;
  target: string;
  pageCondition: string;
  owner: string;
  unit: 'count' | 'ratio';
  windowMinutes: number;
  /**
   * SQL returning one row { n, d, oldest } over the window [:since, :until): d only for
   * ratios; oldest is the earliest event_time of the rows it read, the one to leave first.
   */
  sql: string;
  pages: (value: number) => boolean;
}

const GATES: GateSpec[] = [
  {
    id: 'unapproved-write-calls', name: 'Unapproved write calls', target: '0', pageCondition: '> 0 in any 10m window', owner: 'Governance On-call',
    unit: 'count', windowMinutes: 10, pages: (v) => v > 0,
    sql: `SELECT COUNT(*) AS n, MIN(event_time) AS oldest FROM mcp_audit WHERE event = 'call' AND action_class IN ('write', 'destructive')
          AND decision = 'ALLOW' AND (approval_id IS NULL OR approval_id = '') AND event_time >= :since AND event_time < :until`,
  },
  {
    id: 'registry-drift', name: 'Registry drift', target: '0 unknown servers', pageCondition: 'any unknown server', owner: 'Platform Security',
    unit: 'count', windowMinutes: 60, pages: (v) => v > 0,
    // An unknown server is one refused at launch (a shim or the HTTP interposer: not in the
    // registry, or a launch line / URL nobody approved) or an unprotected entry that appeared
    // in a client config (client-watch): that one runs past the firewall, unmediated.
    // A refusal-limiter summary (http/refusal-limiter.ts) names no server: COUNT(DISTINCT)
    // skips NULL, so such a row alone counts as one unknown server.
    sql: `SELECT MAX(COUNT(DISTINCT server_name), MAX(server_name IS NULL)) AS n, MIN(event_time) AS oldest FROM mcp_audit WHERE event = 'registry'
          AND ((decision = 'DENY' AND rule_id IN ('registry-shadow', 'registry-drift')) OR decision = 'SHADOW_ENTRY')
          AND event_time >= :since AND event_time < :until`,
  },
  {
    id: 'manifest-drift-outside-window', name: 'Manifest drift outside deploy window', target: '0', pageCondition: '> 0 and no linked change ticket', owner: 'MCP Platform',
    unit: 'count', windowMinutes: 24 * 60, pages: (v) => v > 0,
    // `+event_time`: not the time index, which walks a whole day of calls and results for a
    // handful of manifest rows, but the partial index on manifest rows (store/database.ts).
    sql: `SELECT COUNT(*) AS n, MIN(event_time) AS oldest FROM mcp_audit WHERE event = 'manifest' AND decision IN ('DRIFT', 'NEW_TOOL', 'POISONED')
          AND +event_time >= :since AND +event_time < :until`,
  },
  {
    id: 'scope-mismatch-attempts', name: 'Scope mismatch attempts', target: '< 0.1%', pageCondition: '>= 1% for 15m', owner: 'Identity Team',
    unit: 'ratio', windowMinutes: 15, pages: (v) => v >= 0.01,
    // A paused firewall lets a REQUIRE_APPROVAL scope mismatch through, its reason kept
    // after "would have asked:" (policy/pause.ts): an attempt all the same. One a person
    // answered is written with the answer as its reason ("approved (once)"); its approval
    // keeps the reason it asked for.
    sql: `SELECT SUM(CASE WHEN reason LIKE 'scope mismatch%' OR (rule_id = 'protection-paused' AND reason LIKE '%; would have asked: scope mismatch:%')
                   OR (approval_id IS NOT NULL AND EXISTS (SELECT 1 FROM approvals a WHERE a.id = mcp_audit.approval_id AND a.reason LIKE 'scope mismatch%'))
                 THEN 1 ELSE 0 END) AS n, COUNT(*) AS d, MIN(event_time) AS oldest
          FROM mcp_audit WHERE event = 'call' AND event_time >= :since AND event_time < :until`,
  },
  {
    id: 'quarantine-ratio', name: 'QUARANTINE ratio', target: '< 1%', pageCondition: '> 3% for 15m', owner: 'Safety Team',
    unit: 'ratio', windowMinutes: 15, pages: (v) => v > 0.03,
    // Results of requests only (they carry the request's args_digest): a REDACT row for a
    // message the server sent on its own (server-messages.ts) answers no request and can never
    // be quarantined, so a server sending secrets in log notifications would dilute the ratio.
    sql: `SELECT SUM(CASE WHEN decision = 'QUARANTINE' THEN 1 ELSE 0 END) AS n,
                 SUM(CASE WHEN decision IN ('PASS', 'REDACT', 'QUARANTINE', 'ERROR') THEN 1 ELSE 0 END) AS d, MIN(event_time) AS oldest
          FROM mcp_audit WHERE event = 'result' AND args_digest IS NOT NULL AND event_time >= :since AND event_time < :until`,
  },
];

/** The gates over the windows ending at `now` (a past `now` gives the value as it was then). */
export function evaluateGates(db: DatabaseSync, now = Date.now()): GateStatus[] {
  return evaluateGatesUntilChange(db, now).gates;
}

interface GateEvaluation {
  gates: GateStatus[];
  /**
   * Until this time (ms) the gates read the same unless rows are added: the first moment a
   * row a gate read leaves its window, or a row stamped after `now` enters one.
   */
  unchangedUntil: number;
}

const FIRST_ROW_AFTER = 'SELECT MIN(event_time) AS at FROM mcp_audit WHERE event_time >= ?';

export function evaluateGatesUntilChange(db: DatabaseSync, now = Date.now()): GateEvaluation {
  // A hair past `now`, so a row written in this very millisecond counts.
  const until = new Date(now + 1).toISOString();
  // Rows stamped ahead of our clock (a shim's clock, a clock set back) enter the windows
  // without any row being added: re-evaluate when the first of them comes due.
  const ahead = (db.prepare(FIRST_ROW_AFTER).get(until) as { at: string | null }).at;
  let unchangedUntil = ahead ? Date.parse(ahead) : Infinity;
  const gates = GATES.map((gate) => {
    const windowMs = gate.windowMinutes * 60_000;
    const since = new Date(now - windowMs).toISOString();
    const row = db.prepare(gate.sql).get({ since, until }) as { n: number | null; d?: number | null; oldest: string | null };
    // The oldest row counts while since <= its time, so it leaves one ms after time + window.
    if (row.oldest) unchangedUntil = Math.min(unchangedUntil, Date.parse(row.oldest) + windowMs + 1);
    const n = Number(row.n ?? 0);
    const d = Number(row.d ?? 0);
    const value = gate.unit === 'ratio' ? (d === 0 ? 0 : n / d) : n;
    const detail = gate.unit === 'ratio' ? `${n} of ${d} in the last ${gate.windowMinutes}m` : `${n} in the last ${gate.windowMinutes >= 60 ? `${gate.windowMinutes / 60}h` : `${gate.windowMinutes}m`}`;
    const { sql: _sql, pages, ...spec } = gate;
    return { ...spec, value, paging: pages(value), detail };
  });
  return { gates, unchangedUntil };
}
