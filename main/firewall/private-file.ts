import { chmodSync, statSync } from 'node:fs';

/**
 * Makes an existing file this user's alone (0600) if group or others can reach it: a copy
 * restored from a backup, or made before the file was ours, may be group- or world-readable,
 * and an existing file keeps its mode whatever mode a create asked for. Windows has no such
 * bits (Node reports 0666 or 0444 and chmod only sets the read-only flag): nothing to narrow.
 * Returns the mode the file had when it was narrowed, for a caller that gives it back later.
 */
export function narrowToOwner(file: string): number | undefined {
  if (process.platform === 'win32') return undefined;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  chmodSync(file, 0o600);
  return mode;
}
