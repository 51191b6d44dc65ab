import type { PendingTool, PinStore } from './pin-store.js';

// A held definition is kept whole for review, and what is held is the server's to decide: a
// server listing fresh tool names (or new large versions) on every list_changed grew
// manifest_pending without end, up to a 64 MiB line each time, until the disk was full and
// the audit failed. Past this bound a changed or new tool is still hidden and its calls
// denied, but its definition is not kept (so it cannot be accepted until room is made).
export interface HeldLimits {
  items: number;
  /** Characters of JSON, summed over the server's held definitions. */
  chars: number;
}

export const HELD_LIMITS: HeldLimits = { items: 1000, chars: 64 * 1024 * 1024 };

export type KeepResult = 'new' | 'same' | 'not-kept';

export interface HeldKeeper {
  /** Stores `entry` (replacing `waiting`, the version held for it before) unless past the bound. */
  keep(entry: Parameters<PinStore['setPending']>[0], waiting: PendingTool | undefined): KeepResult;
  /** How many were not kept in this review; `newlyFull`: the server was under its bound when it began. */
  refused(): { count: number; newlyFull: boolean };
}

/** One per review of a listing: the server's usage is read once, on the first new version. */
export function createHeldKeeper(pins: PinStore, server: string, limits: HeldLimits = HELD_LIMITS): HeldKeeper {
  let used: { items: number; chars: number } | null = null;
  let fullAtStart = false;
  let count = 0;
  return {
    keep(entry, waiting) {
      if (waiting?.digest !== entry.digest) {
        if (!used) {
          used = pins.pendingUsage(server);
          fullAtStart = used.items >= limits.items || used.chars >= limits.chars;
        }
        const freed = waiting ? JSON.stringify(waiting.definition).length : 0;
        const items = used.items + (waiting ? 0 : 1);
        const chars = used.chars - freed + JSON.stringify(entry.definition).length;
        if (items > limits.items || chars > limits.chars) {
          count++;
          return 'not-kept';
        }
        used = { items, chars };
      }
      return pins.setPending(entry) ? 'new' : 'same';
    },
    refused: () => ({ count, newlyFull: !fullAtStart }),
  };
}
