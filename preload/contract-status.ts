import { z } from 'zod';
import type { GateStatus } from '../main/firewall/gates/gate-status.js';

// The parts of the contract for protection status: pause, emergency, auto-protect and
// the detection gates. Split from contract.ts to keep each file readable.

/** Pause for 1 minute to a day; null resumes. A pause with no end would be forgotten. */
export const pauseSchema = z.object({ minutes: z.number().int().min(1).max(24 * 60).nullable() });
export const autoProtectSchema = z.object({ enabled: z.boolean() });

export type PauseChange = z.infer<typeof pauseSchema>;

export interface GatePoint {
  at: string;
  value: number;
}

export interface GateView extends GateStatus {
  /** The gate's value at evenly spaced points over the last two hours, oldest first. */
  series: GatePoint[];
}

export interface GatesView {
  evaluatedAt: string;
  gates: GateView[];
}

export interface AutoProtectView {
  enabled: boolean;
}
