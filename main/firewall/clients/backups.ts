import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { clientsDir, ensureDir, fileId, realPlace, recordPlaces } from './bookkeeping.js';
import { atomicWrite, readIfExists } from './file-io.js';
import { scrubValues } from './scrub-copies.js';

// Every protect and unprotect keeps the bytes it replaces in <dataDir>/clients/backups,
// 0600, for the user's peace of mind. No restore reads them (unprotect has the saved
// original, bookkeeping.ts), so only the first and the last few are kept, and they hold secrets moved
// to the keychain only as placeholders.

function backupsDir(dataDir: string): string {
  return join(clientsDir(dataDir), 'backups');
}

/**
 * The backups of one config file, oldest first (by the stamp in the name). Named by the
 * file's real path (a file linked into two clients is one file); earlier versions named
 * them by the path as reached, and those count too.
 */
function backupsOf(dataDir: string, file: string): string[] {
  const prefixes = recordPlaces(file).map(prefixOf);
  let names: string[];
  try {
    names = readdirSync(backupsDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.bak'))
    .flatMap((n) => {
      const prefix = prefixes.find((p) => n.startsWith(p));
      return prefix ? [{ name: n, stamp: n.slice(prefix.length) }] : [];
    })
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.name < b.name ? -1 : 1))
    .map((b) => join(backupsDir(dataDir), b.name));
}

const prefixOf = (place: string) => `${basename(place)}.${fileId(place)}.`;

function backupPrefix(file: string): string {
  return prefixOf(realPlace(file));
}

/**
 * Backups kept per config file. Each is a whole copy (a ~/.claude.json runs to 10 MB and
 * more), one per protect and per unprotect: kept all, they would pile up for good.
 */
export const BACKUPS_KEPT = 10;

/**
 * A copy of the bytes we are about to replace, for the user's peace of mind. The file's
 * first (oldest) backup is kept for good, with the last BACKUPS_KEPT; the ones between go.
 */
export function writeBackup(dataDir: string, file: string, bytes: Buffer, now: Date): string {
  const dir = backupsDir(dataDir);
  ensureDir(dir);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${backupPrefix(file)}${stamp}.bak`);
  writeFileSync(path, bytes, { mode: 0o600 });
  // The one just written stays whatever its stamp (a clock set back sorts it first). So
  // does the file's first (oldest) backup: once the saved original is dropped (the file
  // changed under us), it is the only byte-exact copy of the file before we first touched it.
  const [first, ...others] = backupsOf(dataDir, file).filter((p) => p !== path);
  if (first === undefined) return path;
  for (const old of others.slice(0, Math.max(0, others.length - (BACKUPS_KEPT - 1)))) rmSync(old, { force: true });
  return path;
}

/**
 * Secrets just moved out of `file` into the keychain leave its backups too, earlier ones
 * included (an earlier protect, or a version of ours that kept them): each value becomes
 * its placeholder. A value the backup holds escaped (not verbatim) is not found.
 */
export function scrubBackups(dataDir: string, file: string, placeholders: Map<string, string>): void {
  if (placeholders.size === 0) return;
  for (const path of backupsOf(dataDir, file)) {
    const bytes = readIfExists(path);
    if (!bytes) continue;
    const scrubbed = scrubValues(bytes, placeholders);
    if (!scrubbed.equals(bytes)) atomicWrite(path, scrubbed, 0o600);
  }
}
