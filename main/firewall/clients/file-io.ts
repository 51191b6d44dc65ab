import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from '../process-lock.js';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A config path can name a pipe or a device (a mistaken link, a prank): read plainly, a
 * FIFO blocks until someone writes to it, and the engine's config watcher with it, so
 * every proxied message waits. Opened without blocking and refused unless a regular file.
 */
export function readIfExists(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return undefined;
    if (!stat.isFile()) throw new Error(`${path} is not a regular file (a pipe or a device); left untouched`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class FileChangedError extends Error {}

/** Refuses to go on when another writer (the client itself, an installer) touched the file since we read it. */
export function assertUnchanged(path: string, expectedHash: string): void {
  const now = readIfExists(path);
  if (!now || sha256(now) !== expectedHash) {
    throw new FileChangedError(`${path} changed while we were editing it; nothing written (run again)`);
  }
}

/**
 * A config with no write bit was made read-only on purpose (by the user, an admin, a
 * dotfile manager). Renaming over it would succeed anyway (and as root so would a write),
 * so we refuse rather than silently undo that choice.
 */
export function assertWritable(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return; // gone or new: the write itself decides
  }
  if ((mode & 0o222) === 0) {
    throw new Error(`read-only (mode ${(mode & 0o777).toString(8)}); file left untouched: make it writable and run again`);
  }
}

/**
 * Temp file in the same directory, fsync, rename: a client reading mid-write sees the old
 * file or the new one, never half. Symlinked configs (dotfile repos) are written through
 * to their target so the link survives. `unchangedSince`: the hash of the file as it was
 * read; checked once more right before the rename, so a client that saved its config
 * while we wrote backups, bookkeeping and the temp file is not overwritten.
 */
export function atomicWrite(path: string, data: Buffer | string, fallbackMode = 0o600, unchangedSince?: string): void {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // New file: write where we were told.
  }
  let mode = fallbackMode;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const stat = statSync(target);
    mode = stat.mode & 0o777;
    owner = { uid: stat.uid, gid: stat.gid };
  } catch {
    // keep fallback
  }
  clearCrashedTemps(target);
  const tmp = join(dirname(target), `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(tmp, 'wx', mode);
  try {
    if (owner) keepOwner(fd, target, owner.uid, owner.gid);
    // The file's own mode, not as the umask narrows it (a 0644 config must not become 0600).
    fchmodSync(fd, mode);
    writeAll(fd, bytes);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    if (unchangedSince !== undefined) assertUnchanged(path, unchangedSince);
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
  syncDir(dirname(target));
}

/**
 * A rename is an entry in the directory, on disk only once the directory is: a crash right
 * after it can bring the old config back (or leave none) on ext4 and XFS, while our
 * bookkeeping already says protected. Best effort, after the rename: it cannot be undone,
 * so a file system that refuses to sync a directory (EINVAL on some network mounts) is no
 * failure. Windows cannot open a directory at all, and NTFS journals the rename itself.
 */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // see above: the rename stands either way
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const tempPrefix = (target: string) => `.${basename(target)}.mcp-firewall-`;

/**
 * A writer killed between creating its temp file and the rename (a crash, a power cut)
 * leaves a copy of a config beside it, in the user's home or project, for good. The next
 * write of the same file removes those whose process is gone.
 */
function clearCrashedTemps(target: string): void {
  const dir = dirname(target);
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself reports an unusable directory
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length, -4))?.[1] : undefined;
    if (pid === undefined || processAlive(Number(pid))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // another writer cleared it first
    }
  }
}

/**
 * The new file is its writer's: root (sudo protect with the user's HOME) would leave a
 * root-owned config that the client, running as the user, can no longer read or save.
 * Only root can give a file away, so a writer that cannot keep another user's file theirs
 * refuses; a group it cannot set stays the directory's, as any editor leaves it.
 */
function keepOwner(fd: number, target: string, uid: number, gid: number): void {
  if (!process.getuid || !process.getgid) return; // Windows: no POSIX owners
  if (uid === process.getuid() && gid === process.getgid()) return;
  try {
    fchownSync(fd, uid, gid);
  } catch (err) {
    if (uid !== process.getuid()) throw new Error(`${target} belongs to another user (uid ${uid}), which a rewrite would change; file left untouched`, { cause: err });
  }
}

/** writeSync may write less than asked (a full disk, a signal): loops until all is out. `from`: a file offset to write at, else where the file's offset is. */
export function writeAll(fd: number, bytes: Buffer, from?: number): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, from === undefined ? null : from + at);
}
