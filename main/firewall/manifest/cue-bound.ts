import type { Cue, CueSeverity } from './cue-types.js';

// A server writes its own definitions: 150,000 separate zero-width characters are as many
// findings. Spread into push() they overflowed the stack, each cost an excerpt (a second of
// the engine's one thread for 128,000), and dedupe compares each finding with those kept
// before it. Past this many of one severity more tell the reviewer nothing new, and the
// verdict (the worst severity found) is the same.
export const MAX_CUES_PER_SEVERITY = 500;

export interface BoundedCues {
  add(found: readonly Cue[]): void;
  /** Whether no more findings of `severity` are kept (so the caller can skip making them). */
  full(severity: CueSeverity): boolean;
  readonly kept: Cue[];
}

/** Collects findings, up to MAX_CUES_PER_SEVERITY of each severity. */
export function boundedCues(): BoundedCues {
  const kept: Cue[] = [];
  const count: Record<CueSeverity, number> = { low: 0, medium: 0, high: 0 };
  const full = (severity: CueSeverity) => count[severity] >= MAX_CUES_PER_SEVERITY;
  return {
    add(found) {
      for (const cue of found) {
        if (full(cue.severity)) continue;
        count[cue.severity]++;
        kept.push(cue);
      }
    },
    full,
    kept,
  };
}
