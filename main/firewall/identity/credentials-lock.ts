import { join } from 'node:path';
import { createProcessLock } from '../process-lock.js';

// A server's OAuth login is several keychain items (client, tokens, expiry) plus names in
// the secret index, written one by one. `auth login`, `auth logout`, the dashboard, `contain`
// and the engine's token refresh each read, then write them; two at once (two terminals, a
// login while a session refreshes) could leave one login's client beside another's tokens,
// or put a refreshed token back after a logout removed the login. So every such write holds
// one lock for the data dir (process-lock.ts).
// `secrets set`, `secrets rm` and `protect --move-secrets` take it too (secrets-session.ts).

/** Runs `work` holding the data dir's credentials lock; `what` names it to whoever has to wait. */
export type CredentialsLock = <T>(what: string, work: () => Promise<T>) => Promise<T>;

export class CredentialsLockTimeout extends Error {}

export interface CredentialsLockOptions {
  /** How long to wait for another holder before giving up (default 30 s: keychain calls time out at 5 s each). */
  waitMs?: number;
  pollMs?: number;
}

const LOCK_FILE = 'credentials.lock';

export function createCredentialsLock(dataDir: string, options: CredentialsLockOptions = {}): CredentialsLock {
  const file = join(dataDir, LOCK_FILE);
  return createProcessLock(
    {
      file,
      timeout: (who, waitedS) =>
        new CredentialsLockTimeout(
          `Credentials (OAuth logins, keychain secrets) are being changed by ${who}; gave up after ${waitedS} s so as not to overwrite its changes: try again when it has finished (if no such process runs, delete ${file})`,
        ),
    },
    { waitMs: options.waitMs ?? 30_000, ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}) },
  );
}
