import { chmodSync, statSync } from 'node:fs';

/**
 * Makes an existing file this user's alone (0600) if group or others can reach it: a copy
 * restored from a backup, or made before the file was ours, may be group- or world-readable,
 * and an existing file keeps its mode whatever mode a create asked for. Windows has no such
 * bits (Node reports 0666 or 0444 and chmod only sets the read-only flag): nothing to narrow.
 */
export function narrowToOwner(file: string): void {
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}
