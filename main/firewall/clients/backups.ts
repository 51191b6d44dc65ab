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

interface Backup {
  path: string;
  /** Its place in the file's backups; -1 for those versions before this one wrote (named by stamp alone). */
  seq: number;
  stamp: string;
}

// A backup's name: `<file>.<id>.<seq>-<stamp>.bak`. The order comes from the sequence
// number, never the stamp: a clock set back (a dead CMOS battery, a VM restored) would sort
// a new backup before the file's first, which would then be pruned as one of the middle.
const SEQ_DIGITS = 8;
const SEQUENCED = new RegExp(`^(\\d{${SEQ_DIGITS}})-(.*)$`);

/**
 * The backups of one config file, oldest first: the unsequenced ones of earlier versions
 * (by their stamps, all there is), then by sequence number. Named by the file's real path
 * (a file linked into two clients is one file); earlier versions named them by the path as
 * reached, and those count too.
 */
function backupsOf(dataDir: string, file: string): Backup[] {
  const prefixes = recordPlaces(dataDir, file).map(prefixOf);
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
      if (!prefix) return [];
      const rest = n.slice(prefix.length, -'.bak'.length);
      const sequenced = SEQUENCED.exec(rest);
      return [{ path: join(backupsDir(dataDir), n), seq: sequenced ? Number(sequenced[1]) : -1, stamp: sequenced ? sequenced[2]! : rest }];
    })
    .sort((a, b) => a.seq - b.seq || (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.path < b.path ? -1 : 1));
}

const prefixOf = (place: string) => `${basename(place)}.${fileId(place)}.`;

function backupPrefix(file: string): string {
  return prefixOf(realPlace(file));
}

/**
 * Backups kept per config file. Each is a whole copy (a ~/.claude.json runs to 10 MB and
 * more), one per protect and per unprotect: kept all, they would pile up for good.
 */
const BACKUPS_KEPT = 10;

/**
 * A copy of the bytes we are about to replace, for the user's peace of mind. The file's
 * first backup is kept for good, with the last BACKUPS_KEPT; the ones between go.
 */
export function writeBackup(dataDir: string, file: string, bytes: Buffer, now: Date): string {
  const dir = backupsDir(dataDir);
  ensureDir(dir);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const existing = backupsOf(dataDir, file);
  let seq = Math.max(0, ...existing.map((b) => b.seq)) + 1;
  let path: string;
  for (;;) {
    path = join(dir, `${backupPrefix(file)}${String(seq).padStart(SEQ_DIGITS, '0')}-${stamp}.bak`);
    try {
      writeFileSync(path, bytes, { mode: 0o600, flag: 'wx' });
      break;
    } catch (err) {
      // Another protect of the same file took this number a moment ago: the next one is ours.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        seq++;
        continue;
      }
      // Half a file (a full disk) must not stay as a backup: written first, it would be
      // kept for good as the file before we ever touched it.
      rmSync(path, { force: true });
      throw err;
    }
  }
  // The file's first backup stays: once the saved original is dropped (the file changed
  // under us), it is the only byte-exact copy of the file before we first touched it.
  const [first, ...others] = backupsOf(dataDir, file).filter((b) => b.path !== path);
  if (first === undefined) return path;
  for (const old of others.slice(0, Math.max(0, others.length - (BACKUPS_KEPT - 1)))) rmSync(old.path, { force: true });
  return path;
}

/**
 * Secrets just moved out of `file` into the keychain leave its backups too, earlier ones
 * included (an earlier protect, or a version of ours that kept them): each value becomes
 * its placeholder. A value the backup holds escaped (not verbatim) is not found.
 */
export function scrubBackups(dataDir: string, file: string, placeholders: Map<string, string>): void {
  if (placeholders.size === 0) return;
  for (const { path } of backupsOf(dataDir, file)) {
    const bytes = readIfExists(path);
    if (!bytes) continue;
    const scrubbed = scrubValues(bytes, placeholders);
    if (!scrubbed.equals(bytes)) atomicWrite(path, scrubbed, 0o600);
  }
}
