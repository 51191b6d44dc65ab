import { join } from 'node:path';
import { createProcessLock, type ProcessLock } from '../process-lock.js';

// Protect and unprotect write a client config and our bookkeeping of it (clients/*.json,
// *.orig) as one step. The engine's auto-protect, the dashboard and a `protect` in a terminal
// can reach the same file at once: the one whose config write then failed ("changed while we
// were editing it") rolled back by deleting the bookkeeping the other had just written, and
// with it the byte-exact restore and a routed entry's original URL. So that step (the last
// check that the file is as read, bookkeeping, the write, and its rollback) holds one lock
// for the data dir; a run that waited finds the file changed and writes nothing.

class ConfigsLockTimeout extends Error {}

const LOCK_FILE = 'client-configs.lock';

/** waitMs: a holder only writes a few files (keychain prompts come before the lock), so 30 s is ample. */
export function createConfigsLock(dataDir: string, options: { waitMs?: number; pollMs?: number } = {}): ProcessLock {
  const file = join(dataDir, LOCK_FILE);
  return createProcessLock(
    {
      file,
      timeout: (who, waitedS) =>
        new ConfigsLockTimeout(
          `client configs are being rewritten by ${who}; gave up after ${waitedS} s so as not to undo its changes: nothing written, run again when it has finished (if no such process runs, delete ${file})`,
        ),
    },
    { waitMs: options.waitMs ?? 30_000, ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}) },
  );
}
