import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atomicWrite, readIfExists, sha256 } from './file-io.js';
import type { ScrubbedSecret } from './scrub-copies.js';
import type { KeyPath, Launch } from './types.js';

// What we changed lives in <dataDir>/clients, never in the client file: Codex rejects
// unknown keys and Cline/Roo strip them. Original bytes can hold plaintext secrets, so 0600;
// those protect --move-secrets took out of the file stand as placeholders (scrub-copies.ts).

export interface OpRecord {
  path: KeyPath;
  /** Source text of the value before we touched it; null when we added the key. */
  originalText: string | null;
}

export interface EntryRecord {
  /** A remote entry: original and inserted are its URL as `{ command: 'url', args: [URL] }` (`sse-url` for legacy SSE). */
  kind?: 'remote';
  name: string;
  path: KeyPath;
  original: Launch;
  inserted: Launch;
  ops: OpRecord[];
  /** Env secrets protect --move-secrets took out of the entry into the keychain (names only). */
  movedSecrets?: string[];
}

export interface FileState {
  version: 1;
  client: string;
  file: string;
  /** Hash of the original bytes (the file before we protected it); absent once the file changed under us after protecting. */
  originalHash?: string;
  /** The original as saved, when the secrets moved out of it stand there as placeholders: its hash, and which. */
  scrubbed?: { hash: string; secrets: ScrubbedSecret[] };
  protectedHash: string;
  entries: EntryRecord[];
  /** The file's mode before protect narrowed it to 0600 for a route key; unprotect gives it back. */
  narrowedFrom?: number;
}

export function clientsDir(dataDir: string): string {
  return join(dataDir, 'clients');
}

export function fileId(file: string): string {
  return sha256(file).slice(0, 16);
}

/** The file a path names, links followed: discover reads a file reached by two paths once. */
export function realPlace(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/**
 * The name our records of a file go by: its real path's, so that a file linked into two
 * clients, protected through one path, is found through the other. Versions before this
 * one named them by the path as reached (`fileId(file)`): that name is read as a fallback.
 */
export function recordId(file: string): string {
  return fileId(realPlace(file));
}

/**
 * One key per file on disk, however it is reached: by a symlink (its real path) or a hard
 * link, which no path resolution sees through (so the file itself, device and inode).
 */
export function fileKey(path: string): string {
  try {
    const { dev, ino } = statSync(path, { bigint: true });
    return `${dev}:${ino}`;
  } catch {
    return realPlace(path); // not there: never read, only a name
  }
}

/**
 * The paths a file's records (bookkeeping, saved original, backups) may be named by: its
 * real path first, then the path as reached, which earlier versions named them by, then
 * the real path of any record in the data dir for the same file by another hard link (a
 * config linked into Cursor and Windsurf, protected through one, is unprotected through
 * the other: its records, original URLs included, are found there).
 */
export function recordPlaces(dataDir: string, file: string): string[] {
  return [...new Set([realPlace(file), file, ...hardLinkedRecords(dataDir, file)])];
}

/** Real paths of files with records here that are `file` itself under another name. */
function hardLinkedRecords(dataDir: string, file: string): string[] {
  let names: string[];
  try {
    names = readdirSync(clientsDir(dataDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const key = fileKey(file);
  if (!key.includes(':')) return []; // not there: no inode to share
  return names.flatMap((name) => {
    const recorded = recordedFile(join(clientsDir(dataDir), name));
    return recorded !== undefined && recorded !== file && fileKey(recorded) === key ? [realPlace(recorded)] : [];
  });
}

/** The file a record names, or undefined when it cannot be read (parseState reports damage where it matters). */
function recordedFile(path: string): string | undefined {
  try {
    const state = JSON.parse(readIfExists(path)?.toString('utf8') ?? 'null') as Partial<FileState> | null;
    return typeof state?.file === 'string' ? state.file : undefined;
  } catch {
    return undefined;
  }
}

function recordIds(dataDir: string, file: string): string[] {
  return recordPlaces(dataDir, file).map(fileId);
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export class DamagedStateError extends Error {}

/**
 * Throws DamagedStateError when the record is there but unreadable (a disk fault, a hand
 * edit): read as "none", the next write would drop the original URLs it keeps, so whoever
 * writes stops and says which file to move aside.
 */
export function loadState(dataDir: string, file: string): FileState | undefined {
  for (const id of recordIds(dataDir, file)) {
    const path = join(clientsDir(dataDir), `${id}.json`);
    const raw = readIfExists(path);
    if (raw) return parseState(path, raw, file);
  }
  return undefined;
}

function parseState(path: string, raw: Buffer, file: string): FileState | undefined {
  let state: FileState;
  try {
    state = JSON.parse(raw.toString('utf8')) as FileState;
    if (typeof state !== 'object' || state === null || !Array.isArray(state.entries)) throw new Error('no list of entries');
  } catch (err) {
    throw new DamagedStateError(`our bookkeeping for this file (${path}) is damaged (${(err as Error).message}); nothing written: move it aside to protect or unprotect from the wrap lines alone`);
  }
  return state.file === file || realPlace(state.file) === realPlace(file) || fileKey(state.file) === fileKey(file) ? state : undefined;
}

/** The original as saved (moved secrets as placeholders, see `scrubbed`), when it is whole. */
export function loadSavedOriginal(dataDir: string, state: FileState): Buffer | undefined {
  const hash = state.scrubbed?.hash ?? state.originalHash;
  if (!state.originalHash) return undefined;
  for (const id of recordIds(dataDir, state.file)) {
    const bytes = readIfExists(join(clientsDir(dataDir), `${id}.orig`));
    if (bytes) return sha256(bytes) === hash ? bytes : undefined;
  }
  return undefined;
}

/**
 * Files the record under the real path's name. A record still under an earlier version's
 * name moves over: with no new original given, the saved one it kept comes along.
 */
export function saveState(dataDir: string, state: FileState, original?: Buffer): void {
  const dir = clientsDir(dataDir);
  ensureDir(dir);
  const [id, ...earlier] = recordIds(dataDir, state.file);
  const carried = !original && state.originalHash && earlier.length > 0 && !existsSync(join(dir, `${id}.orig`)) ? loadSavedOriginal(dataDir, state) : undefined;
  const orig = original ?? carried;
  // The record names its original by hash: a new original is put in place only once the
  // record is written, and an old one removed only then, so a record that fails (a full
  // disk) leaves the previous record with the original it names.
  const origPath = join(dir, `${id}.orig`);
  const staged = `${origPath}.next`;
  if (orig) atomicWrite(staged, orig, 0o600);
  try {
    atomicWrite(join(dir, `${id}.json`), JSON.stringify(state, null, 2), 0o600);
  } catch (err) {
    rmSync(staged, { force: true });
    throw err;
  }
  if (orig) renameSync(staged, origPath);
  else if (!state.originalHash) rmSync(origPath, { force: true });
  for (const old of earlier) {
    rmSync(join(dir, `${old}.json`), { force: true });
    rmSync(join(dir, `${old}.orig`), { force: true });
  }
}

export function deleteState(dataDir: string, file: string): void {
  const dir = clientsDir(dataDir);
  for (const id of recordIds(dataDir, file)) {
    rmSync(join(dir, `${id}.json`), { force: true });
    rmSync(join(dir, `${id}.orig`), { force: true });
    rmSync(join(dir, `${id}.orig.next`), { force: true }); // left by a crash in saveState
  }
}
