import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { atomicWrite, readIfExists, sha256 } from './file-io.js';
import type { KeyPath, Launch } from './types.js';

// What we changed lives in <dataDir>/clients, never in the client file: Codex rejects
// unknown keys and Cline/Roo strip them. Original bytes can hold plaintext secrets, so 0600.

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
  /** Hash of the saved original bytes; absent once the file changed under us after protecting. */
  originalHash?: string;
  protectedHash: string;
  entries: EntryRecord[];
}

function clientsDir(dataDir: string): string {
  return join(dataDir, 'clients');
}

function fileId(file: string): string {
  return sha256(file).slice(0, 16);
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function loadState(dataDir: string, file: string): FileState | undefined {
  const raw = readIfExists(join(clientsDir(dataDir), `${fileId(file)}.json`));
  if (!raw) return undefined;
  const state = JSON.parse(raw.toString('utf8')) as FileState;
  return state.file === file ? state : undefined;
}

export function loadOriginal(dataDir: string, state: FileState): Buffer | undefined {
  const bytes = readIfExists(join(clientsDir(dataDir), `${fileId(state.file)}.orig`));
  return bytes && state.originalHash && sha256(bytes) === state.originalHash ? bytes : undefined;
}

export function saveState(dataDir: string, state: FileState, original?: Buffer): void {
  const dir = clientsDir(dataDir);
  ensureDir(dir);
  const id = fileId(state.file);
  if (original) atomicWrite(join(dir, `${id}.orig`), original, 0o600);
  else if (!state.originalHash) rmSync(join(dir, `${id}.orig`), { force: true });
  atomicWrite(join(dir, `${id}.json`), JSON.stringify(state, null, 2), 0o600);
}

export function deleteState(dataDir: string, file: string): void {
  const dir = clientsDir(dataDir);
  const id = fileId(file);
  rmSync(join(dir, `${id}.json`), { force: true });
  rmSync(join(dir, `${id}.orig`), { force: true });
}

/** A copy of the bytes we are about to replace, for the user's peace of mind. */
export function writeBackup(dataDir: string, file: string, bytes: Buffer, now: Date): string {
  const dir = join(clientsDir(dataDir), 'backups');
  ensureDir(dir);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${basename(file)}.${fileId(file)}.${stamp}.bak`);
  writeFileSync(path, bytes, { mode: 0o600 });
  return path;
}

