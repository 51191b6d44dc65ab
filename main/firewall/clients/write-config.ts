import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { atomicWrite, FileChangedError, sha256, writeAll } from './file-io.js';

/**
 * Writes a client's config: atomically (temp file and rename), except for a file with more
 * than one hard link. Dotfile managers hard-link a config into their repo (some clients do
 * not follow symlinks); a rename would give the config's path a new file and leave the
 * other name with the old content, so the user's repo and the client silently disagree.
 * There the new bytes go into the same file, and the trade is taken knowingly: a client
 * reading at that instant can see it half written (it reads it again on the change event
 * our last write makes), and a crash mid-write leaves it damaged, with the backup written
 * just before (writeBackup) as the way back. The hash check is made on the open file.
 */
export function writeConfig(path: string, data: Buffer | string, unchangedSince: string): void {
  if (linkCount(path) <= 1) {
    atomicWrite(path, data, undefined, unchangedSince);
    return;
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(realpathSync(path), 'r+');
  try {
    const before = readAllOf(fd);
    if (sha256(before) !== unchangedSince) throw new FileChangedError(`${path} changed while we were editing it; nothing written (run again)`);
    try {
      overwrite(fd, bytes);
    } catch (err) {
      // A full disk mid-write: the old bytes fit where they were, so they go back.
      let after = 'its content was put back';
      try {
        overwrite(fd, before);
      } catch {
        after = 'it may be left damaged: the copy of it made just before is in the data dir, clients/backups';
      }
      throw new Error(`${path} could not be written (${(err as Error).message}); ${after}`, { cause: err });
    }
  } finally {
    closeSync(fd);
  }
}

function linkCount(path: string): number {
  try {
    return statSync(path).nlink;
  } catch {
    return 1; // gone or new: the atomic write reports it
  }
}

function readAllOf(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buf, at, size - at, at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

function overwrite(fd: number, bytes: Buffer): void {
  writeAll(fd, bytes, 0);
  ftruncateSync(fd, bytes.length);
  fsyncSync(fd);
}
