import type { DatabaseSync } from 'node:sqlite';
import type { GatePoint, GatesView, GateView } from '../../../preload/contract.js';
import { AUTO_PROTECT_KEY, autoProtectOn } from '../client-watch.js';
import type { Engine } from '../engine.js';
import { evaluateGates } from '../gates/gates.js';
import { setSetting } from '../store/database.js';

export const SERIES_POINTS = 24;
export const SERIES_SPAN_MS = 2 * 60 * 60_000;
/** The dashboard reloads the page on every new audit row; history that old does not move that fast. */
const SERIES_CACHE_MS = 10_000;

/** Each gate's value over its window ending at `at`. */
function valuesAt(db: DatabaseSync, at: number): number[] {
  return evaluateGates(db, at).map((gate) => gate.value);
}

/** `points` evenly spaced values per gate, oldest first, the last one at `now`. */
export function gateSeries(db: DatabaseSync, now: number, points = SERIES_POINTS, spanMs = SERIES_SPAN_MS): GatePoint[][] {
  const step = spanMs / (points - 1);
  const columns: GatePoint[][] = [];
  for (let p = 0; p < points; p++) {
    const at = Math.round(now - spanMs + p * step);
    valuesAt(db, at).forEach((value, g) => (columns[g] ??= []).push({ at: new Date(at).toISOString(), value }));
  }
  return columns;
}

export interface StatusMethods {
  gates(): Promise<GatesView>;
  setPause(args: { minutes: number | null }): Promise<{ pausedUntil: string | null }>;
  autoProtect(): Promise<{ enabled: boolean }>;
  setAutoProtect(args: { enabled: boolean }): Promise<{ enabled: boolean }>;
}

/** Pause, auto-protect and the detection gates, for the dashboard and the tray. */
export function createStatusMethods(engine: Engine, actor: string): StatusMethods {
  let cached: { at: number; series: GatePoint[][] } | null = null;
  const autoProtectIsOn = () => autoProtectOn(engine.db);
  return {
    async gates() {
      const now = Date.now();
      if (!cached || now - cached.at > SERIES_CACHE_MS) cached = { at: now, series: gateSeries(engine.db, now) };
      const series = cached.series;
      const gates: GateView[] = engine.gates().map((gate, i) => {
        // The newest point is the live value, so the chart ends where the number says.
        const history = (series[i] ?? []).slice(0, -1);
        return { ...gate, series: [...history, { at: new Date(now).toISOString(), value: gate.value }] };
      });
      return { evaluatedAt: new Date(now).toISOString(), gates };
    },
    async setPause({ minutes }) {
      return { pausedUntil: engine.pauseProtection(minutes, actor) };
    },
    async autoProtect() {
      return { enabled: autoProtectIsOn() };
    },
    async setAutoProtect({ enabled }) {
      if (enabled !== autoProtectIsOn()) {
        setSetting(engine.db, AUTO_PROTECT_KEY, enabled ? 'on' : 'off');
        engine.record({ event: 'registry', decision: enabled ? 'AUTO_PROTECT_ON' : 'AUTO_PROTECT_OFF', actorId: actor, ruleId: 'client-config-watch', reason: `auto-protect turned ${enabled ? 'on' : 'off'}` });
      }
      return { enabled: autoProtectIsOn() };
    },
  };
}
