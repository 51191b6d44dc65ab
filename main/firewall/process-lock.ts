import { mkdirSync, openSync, readFileSync, closeSync, unlinkSync, writeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// A lock shared by processes (and by callers in one process): a file created exclusively,
// naming the process that holds it. A holder that died is found by its pid and its file
// removed; a waiter gives up after `waitMs` with the message its owner wrote for it.
// credentials-lock.ts and clients/configs-lock.ts are the locks built on it.

/** Runs `work` holding the lock; `what` names it to whoever has to wait. */
export type ProcessLock = <T>(what: string, work: () => Promise<T>) => Promise<T>;

export interface ProcessLockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs: number;
  pollMs?: number;
}

export interface ProcessLockSpec {
  /** The lock file; its directory is created (0700) when missing. */
  file: string;
  /** The error a waiter that gave up throws: `who` names the holder, `waitedS` the seconds waited. */
  timeout: (who: string, waitedS: number) => Error;
}

export function createProcessLock(spec: ProcessLockSpec, options: ProcessLockOptions): ProcessLock {
  const { file } = spec;
  const { waitMs } = options;
  const pollMs = options.pollMs ?? 25;
  return async (what, work) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const taken = tryTake(file, what);
      if (taken === true) break;
      if (Date.now() >= deadline) {
        const who = taken ? `process ${taken.pid} (${taken.what}, since ${taken.since})` : 'another process';
        throw spec.timeout(who, Math.round(waitMs / 1000));
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    heldHere.add(file);
    try {
      return await work();
    } finally {
      heldHere.delete(file);
      release(file);
    }
  };
}

/** Lock files this process holds now: a file naming our pid that is not among them was left by another process that had it. */
const heldHere = new Set<string>();

interface Holder {
  pid: number;
  what: string;
  since: string;
  /** The boot the holder ran in (Linux): after a reboot its pid may name another, live process. */
  boot?: string;
}

let bootId: string | undefined | null = null;
/** This boot's id where the system says it (Linux), else undefined. Read once. */
function thisBoot(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

/** True when taken; else who holds it (null when that could not be read). */
function tryTake(file: string, what: string): true | Holder | null {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, what, since: new Date().toISOString(), boot: thisBoot() } satisfies Holder));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = readHolder(file);
  if (holder && !holderLives(file, holder)) breakStale(file, holder);
  // A holder that died between creating the file and writing to it left it empty: no pid to
  // ask about, so its age says it (a live holder writes within microseconds).
  else if (holder === null && ageMs(file) > UNREADABLE_STALE_MS) breakStale(file, null);
  return holder;
}

function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, what: String(parsed.what ?? '?'), since: String(parsed.since ?? '?'), ...(typeof parsed.boot === 'string' ? { boot: parsed.boot } : {}) };
  } catch {
    return null; // gone meanwhile, or being written: look again on the next try
  }
}

/**
 * Whether the process a lock file names still holds it. A pid alone can mislead: an engine
 * in a container runs as pid 1 after every restart, and after a reboot a pid may name any
 * process, so a file naming our own pid that we do not hold, or another boot, is stale.
 */
function holderLives(file: string, holder: Holder): boolean {
  if (holder.pid === process.pid) return heldHere.has(file);
  const boot = thisBoot();
  if (holder.boot !== undefined && boot !== undefined && holder.boot !== boot) return false;
  return processAlive(holder.pid);
}

/** Whether a process with this pid exists (under any account). A pid alone can mislead: see holderLives. */
export function processAlive(pid: number): boolean {
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
