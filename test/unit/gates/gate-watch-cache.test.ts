import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluateGates } from '../../../main/firewall/gates/gates.js';
import { watchGates } from '../../../main/firewall/gates/gate-watch.js';
import { cleanTrails, freshTrail, MINUTE, T0 } from './trail.js';

afterEach(cleanTrails);

const HOUR = 60 * MINUTE;

function freshCacheTrail() {
  const { db, audit } = freshTrail('mcpfw-gate-cache-');
  const unapprovedWrite = () => audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write', actorId: 'me@cursor' });
  return { db, audit, unapprovedWrite };
}

/** The same database, counting how often a gate's SQL runs (every gate query reads :since). */
function countingGateQueries(db: DatabaseSync): { db: DatabaseSync; runs: () => number } {
  let runs = 0;
  const countGets = (statement: StatementSync) =>
    new Proxy(statement, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (key === 'get') return (...args: Parameters<StatementSync['get']>) => (runs++, target.get(...args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const counted = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => (sql.includes(':since') ? countGets(target.prepare(sql)) : target.prepare(sql));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: counted, runs: () => runs };
}

const unapprovedWrites = (gates: Array<{ id: string; value: number; paging: boolean }>) => {
  const gate = gates.find((g) => g.id === 'unapproved-write-calls')!;
  return { value: gate.value, paging: gate.paging };
};

describe('gate watch: the gates are evaluated again only when they can have changed', () => {
  it('runs no gate SQL for the dashboard ticks of a quiet trail, and runs it once after a new row', () => {
    const { db, audit, unapprovedWrite } = freshCacheTrail();
    unapprovedWrite();
    const counted = countingGateQueries(db);
    const watch = watchGates(counted.db, audit, () => {}, HOUR);
    try {
      const before = counted.runs();
      for (let tick = 0; tick < 20; tick++) expect(unapprovedWrites(watch.current())).toEqual({ value: 1, paging: true });
      expect(counted.runs() - before).toBe(0);

      unapprovedWrite();
      const oneEvaluation = evaluateGates(db).length;
      const afterRow = counted.runs();
      expect(unapprovedWrites(watch.current())).toEqual({ value: 2, paging: true });
      expect(unapprovedWrites(watch.current())).toEqual({ value: 2, paging: true });
      expect(counted.runs() - afterRow).toBe(oneEvaluation);
    } finally {
      watch.stop();
      db.close();
    }
  });

  it('still clears a gate the moment its window passes its last row, with no new row to tell it, and audits the CLEAR', () => {
    vi.useFakeTimers({ now: T0 });
    const { db, audit, unapprovedWrite } = freshCacheTrail();
    unapprovedWrite(); // stamped T0: counts while the 10m window starts at or before T0
    const pages: string[] = [];
    const watch = watchGates(db, audit, (gate) => pages.push(gate.id), 30_000);
    try {
      expect(watch.current()).toEqual(evaluateGates(db));
      expect(unapprovedWrites(watch.current()).paging).toBe(true);
      vi.advanceTimersByTime(30_000);
      expect(pages).toEqual(['unapproved-write-calls']);

      vi.setSystemTime(T0 + 10 * MINUTE); // the window's first instant is the row's: still in
      expect(unapprovedWrites(watch.current())).toEqual({ value: 1, paging: true });
      vi.setSystemTime(T0 + 10 * MINUTE + 1); // one ms on, out
      expect(unapprovedWrites(watch.current())).toEqual({ value: 0, paging: false });
      expect(watch.current()).toEqual(evaluateGates(db));

      vi.advanceTimersByTime(30_000);
      const clears = db.prepare("SELECT rule_id FROM mcp_audit WHERE event = 'gate' AND decision = 'CLEAR'").all();
      expect(clears).toEqual([{ rule_id: 'unapproved-write-calls' }]);

      // The ratio gates' 15m windows move on too: every gate agrees with a fresh evaluation.
      for (const at of [T0 + 15 * MINUTE, T0 + 15 * MINUTE + 1, T0 + HOUR]) {
        vi.setSystemTime(at);
        expect(watch.current(), new Date(at).toISOString()).toEqual(evaluateGates(db));
      }
    } finally {
      watch.stop();
      db.close();
    }
  });

  it('pages at once on a new row, and counts a row stamped ahead of the clock when its time comes', () => {
    vi.useFakeTimers({ now: T0 });
    const { db, audit, unapprovedWrite } = freshCacheTrail();
    audit.append({ event: 'registry', decision: 'APPROVED', serverName: 'crm', actorId: 'cli' });
    const watch = watchGates(db, audit, () => {}, HOUR);
    try {
      expect(unapprovedWrites(watch.current())).toEqual({ value: 0, paging: false });
      unapprovedWrite();
      expect(unapprovedWrites(watch.current())).toEqual({ value: 1, paging: true });

      // A row from a clock two minutes ahead (a shim's, say): folded now, counted from its time.
      vi.setSystemTime(T0 + 2 * MINUTE);
      unapprovedWrite();
      vi.setSystemTime(T0 + 1);
      expect(unapprovedWrites(watch.current())).toEqual({ value: 1, paging: true });
      vi.setSystemTime(T0 + 2 * MINUTE - 1);
      expect(unapprovedWrites(watch.current())).toEqual({ value: 1, paging: true });
      vi.setSystemTime(T0 + 2 * MINUTE);
      expect(unapprovedWrites(watch.current())).toEqual({ value: 2, paging: true });
      expect(watch.current()).toEqual(evaluateGates(db));
    } finally {
      watch.stop();
      db.close();
    }
  });
});
