import { mkdirSync, openSync, readFileSync, closeSync, unlinkSync, writeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

// A server's OAuth login is several keychain items (client, tokens, expiry) plus names in
// the secret index, written one by one. `auth login`, `auth logout`, the dashboard, `contain`
// and the engine's token refresh each read, then write them; two at once (two terminals, a
// login while a session refreshes) could leave one login's client beside another's tokens,
// or put a refreshed token back after a logout removed the login. So every such write holds
// one lock for the data dir: a file created exclusively, naming the process that holds it.
// `secrets set`, `secrets rm` and `protect --move-secrets` take it too (secrets-session.ts).

/** Runs `work` holding the data dir's credentials lock; `what` names it to whoever has to wait. */
export type CredentialsLock = <T>(what: string, work: () => Promise<T>) => Promise<T>;

export class CredentialsLockTimeout extends Error {}

export interface CredentialsLockOptions {
  /** How long to wait for another holder before giving up (default 30 s: keychain calls time out at 5 s each). */
  waitMs?: number;
  pollMs?: number;
}

interface Holder {
  pid: number;
  what: string;
  since: string;
}

const LOCK_FILE = 'credentials.lock';

export function createCredentialsLock(dataDir: string, options: CredentialsLockOptions = {}): CredentialsLock {
  const file = join(dataDir, LOCK_FILE);
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 25;
  return async (what, work) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const taken = tryTake(file, what);
      if (taken === true) break;
      if (Date.now() >= deadline) {
        const who = taken ? `process ${taken.pid} (${taken.what}, since ${taken.since})` : 'another process';
        throw new CredentialsLockTimeout(
          `Credentials (OAuth logins, keychain secrets) are being changed by ${who}; gave up after ${Math.round(waitMs / 1000)} s so as not to overwrite its changes: try again when it has finished (if no such process runs, delete ${file})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    try {
      return await work();
    } finally {
      release(file);
    }
  };
}

/** True when taken; else who holds it (null when that could not be read). */
function tryTake(file: string, what: string): true | Holder | null {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() } satisfies Holder));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = readHolder(file);
  if (holder && !alive(holder.pid)) breakStale(file, holder);
  // A holder that died between creating the file and writing to it left it empty: no pid to
  // ask about, so its age says it (a live holder writes within microseconds).
  else if (holder === null && ageMs(file) > UNREADABLE_STALE_MS) breakStale(file, null);
  return holder;
}

function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, what: String(parsed.what ?? '?'), since: String(parsed.since ?? '?') } : null;
  } catch {
    return null; // gone meanwhile, or being written: look again on the next try
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another account.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A holder that died (crash, kill -9) left its file. Two waiters may both see it dead; the
// second must not delete the lock the first took since. So the file is removed only under a
// second, short-lived lock, and only if it still names the dead process.
const BREAKER_STALE_MS = 10_000;

const UNREADABLE_STALE_MS = 5_000;

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0; // gone meanwhile: the next try takes it
  }
}

function breakStale(file: string, dead: Holder | null): void {
  const breaker = `${file}.break`;
  try {
    closeSync(openSync(breaker, 'wx', 0o600));
  } catch {
    // Held only for a read and an unlink; one left for long was left by a crash there.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS) unlinkSync(breaker);
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    const now = readHolder(file);
    const same = dead === null ? now === null && ageMs(file) > UNREADABLE_STALE_MS : now !== null && now.pid === dead.pid && now.since === dead.since;
    if (same) unlinkSync(file);
  } catch {
    // removed by its holder meanwhile
  } finally {
    release(breaker);
  }
}

function release(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone: nothing to give back
  }
}
