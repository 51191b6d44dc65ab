import { DamagedStateError, loadSavedOriginal, loadState, saveState } from './bookkeeping.js';
import { scrubBackups } from './backups.js';
import { createConfigsLock } from './configs-lock.js';
import type { LoadedFile } from './discover.js';
import { sha256 } from './file-io.js';
import { editorFor } from './formats/index.js';
import { planSecretMoves } from './move-secrets.js';
import { readEntries } from './read-entries.js';
import { placeholdersFor, placeholderText, scrubOriginal } from './scrub-copies.js';
import type { DiscoveredServer } from './types.js';

const samePath = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Versions of ours before scrub-copies.ts kept the tokens `protect --move-secrets` moved
 * to the keychain in the saved original and the backups. The next protect takes them out
 * there too. The values come from the saved original itself (each moved name, in the entry
 * at its recorded path), so no keychain is asked. A saved original that cannot lose them
 * and still give the file back exactly is not kept: unprotect then restores entry by entry.
 *
 * It rewrites the bookkeeping, so it holds the lock every such writer holds (configs-lock.ts):
 * without it, a protect or unprotect running at once could write its record between this
 * one's read and write, and this write would put back the record read before.
 */
export function scrubEarlierCopies(dataDir: string, file: LoadedFile): Promise<void> {
  return createConfigsLock(dataDir)(`protect ${file.spec.path}`, async () => scrubUnderLock(dataDir, file));
}

function scrubUnderLock(dataDir: string, file: LoadedFile): void {
  let state;
  try {
    state = loadState(dataDir, file.spec.path);
  } catch (err) {
    if (err instanceof DamagedStateError) return; // said by whatever needs the record
    throw err;
  }
  if (!state?.originalHash || state.scrubbed || !state.entries.some((e) => e.movedSecrets?.length)) return;
  const saved = loadSavedOriginal(dataDir, state);
  if (!saved) return;
  let servers: DiscoveredServer[] | undefined;
  try {
    servers = readEntries(file.adapter.id, file.spec, editorFor(file.spec.format).parse(saved.toString('utf8')));
  } catch {
    servers = undefined;
  }
  // A moved name the saved original no longer gives a move for (its entry not found there,
  // or the value not one we would move) would stay there in plaintext, yet marked clean
  // and never tried again: such a saved original is not kept either.
  let everyNameFound = true;
  const moves = state.entries.flatMap((entry) => {
    const moved = entry.movedSecrets ?? [];
    if (moved.length === 0) return [];
    const server = servers?.find((s) => samePath(s.path, entry.path));
    const planned = server ? planSecretMoves(server, file.spec).filter((m) => moved.includes(m.name)) : [];
    if (moved.some((name) => !planned.some((m) => m.name === name))) everyNameFound = false;
    return planned;
  });
  const placed = placeholdersFor(moves, [saved]);
  const scrubbed = servers && everyNameFound && scrubOriginal(saved, file.spec.format, moves, placed, []);
  if (scrubbed) {
    saveState(dataDir, { ...state, scrubbed: { hash: sha256(scrubbed.bytes), secrets: scrubbed.secrets } }, scrubbed.bytes);
  } else {
    const { originalHash: _dropped, ...rest } = state;
    saveState(dataDir, rest);
  }
  scrubBackups(dataDir, file.spec.path, placeholderText(placed));
}
