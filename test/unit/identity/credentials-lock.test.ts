import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createCredentialsLock, CredentialsLockTimeout } from '../../../main/firewall/identity/credentials-lock.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { createOAuthCredentials } from '../../../main/firewall/identity/oauth-credentials.js';
import { OAUTH_SECRETS } from '../../../main/firewall/identity/oauth-secrets.js';
import { createSecretIndex } from '../../../main/firewall/identity/secret-index.js';
import type { SecretStore } from '../../../main/firewall/identity/secret-store.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
const dbs: DatabaseSync[] = [];
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-credentials-lock-'));
  dirs.push(dir);
  return dir;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The keychain's calls take time (a D-Bus round trip, a child process), so two writers' calls interleave.
function slowKeychain(store: SecretStore, delayOf: (name: string) => number): SecretStore {
  return {
    ...store,
    set: async (ref, value) => {
      await pause(delayOf(ref.name));
      return store.set(ref, value);
    },
    delete: async (ref) => {
      await pause(delayOf(ref.name));
      return store.delete(ref);
    },
  };
}

const loginOf = (tag: string, withRefresh: boolean): Record<string, string> => ({
  [OAUTH_SECRETS.authorization]: `Bearer access-${tag}`,
  [OAUTH_SECRETS.client]: JSON.stringify({ client_id: `client-${tag}` }),
  [OAUTH_SECRETS.server]: JSON.stringify({ authorizationServerUrl: `https://auth-${tag}.example` }),
  ...(withRefresh ? { [OAUTH_SECRETS.refreshToken]: `refresh-${tag}` } : {}),
});

/** Two processes' worth of `auth` (each with its own lock object, the same data dir), one keychain. */
function twoWriters() {
  const dir = dataDir();
  const db = openDatabase(join(dir, 'firewall.db'));
  dbs.push(db);
  const memory = createMemorySecretStore();
  const index = createSecretIndex(db);
  const writer = (delayOf: (name: string) => number) =>
    createOAuthCredentials({ store: slowKeychain(memory, delayOf), index, lock: createCredentialsLock(dir, { pollMs: 2 }) });
  const held = async () => {
    const found: Record<string, string> = {};
    for (const name of Object.values(OAUTH_SECRETS)) {
      const value = await memory.get({ server: 'crm', name });
      if (value !== null) found[name] = value;
    }
    return found;
  };
  return { dir, index, writer, held };
}

describe('the credentials lock: one writer of OAuth credentials at a time, across processes', () => {
  it('leaves one whole login when two logins of the same server are stored at once, never one client beside the other tokens', async () => {
    const { writer, held, index } = twoWriters();
    // The first writer is slow on the client, the second on the tokens: unserialised, their writes cross.
    const first = writer((name) => (name === OAUTH_SECRETS.client ? 20 : 1));
    const second = writer((name) => (name === OAUTH_SECRETS.client ? 1 : 8));
    await Promise.all([first.save('crm', loginOf('A', true), 'https://auth-A.example', 'cli'), second.save('crm', loginOf('B', false), 'https://auth-B.example', 'cli')]);
    const now = await held();
    expect([loginOf('A', true), loginOf('B', false)]).toContainEqual(now);
    expect(index.names('crm').sort()).toEqual(Object.keys(now).sort());
  });

  it('leaves either the whole login or none of it when a logout runs while a login is stored', async () => {
    const { writer, held } = twoWriters();
    const login = writer((name) => (name === OAUTH_SECRETS.server ? 15 : 2));
    const logout = writer(() => 3);
    await login.save('crm', loginOf('A', true), 'https://auth-A.example', 'cli');
    await Promise.all([login.save('crm', loginOf('B', true), 'https://auth-B.example', 'cli'), pause(4).then(() => logout.logout('crm', 'cli'))]);
    expect([{}, loginOf('B', true)]).toContainEqual(await held());
  });

  it('waits for a holder in another process, and gives up after the bounded wait naming it and the lock file', async () => {
    const dir = dataDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'credentials.lock'), JSON.stringify({ pid: other.pid, what: "login of 'crm'", since: '2026-01-01T00:00:00.000Z' }));
      const lock = createCredentialsLock(dir, { waitMs: 300, pollMs: 10 });
      let ran = false;
      const error = await lock('logout', async () => (ran = true)).catch((e: unknown) => e);
      expect(ran).toBe(false);
      expect(error).toBeInstanceOf(CredentialsLockTimeout);
      expect((error as Error).message).toContain(`process ${other.pid} (login of 'crm'`);
      expect((error as Error).message).toContain(join(dir, 'credentials.lock'));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose holder died (crash, kill -9), and leaves no lock file behind', async () => {
    const dir = dataDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    writeFileSync(join(dir, 'credentials.lock'), JSON.stringify({ pid: other.pid, what: 'token refresh', since: '2026-01-01T00:00:00.000Z' }));
    const lock = createCredentialsLock(dir, { waitMs: 20_000, pollMs: 10 });
    const waiting = lock('logout', async () => 'done');
    await pause(50);
    other.kill('SIGKILL');
    expect(await waiting).toBe('done');
    expect(existsSync(join(dir, 'credentials.lock'))).toBe(false);
    expect(existsSync(join(dir, 'credentials.lock.break'))).toBe(false);
  });

  it('takes over an empty lock file a holder left when it died before writing its name, once it is old, not before', async () => {
    const dir = dataDir();
    const file = join(dir, 'credentials.lock');
    writeFileSync(file, '');
    const fresh = await createCredentialsLock(dir, { waitMs: 100, pollMs: 10 })('logout', async () => 'ran').catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(CredentialsLockTimeout); // a holder may be writing it right now
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(await createCredentialsLock(dir, { waitMs: 10_000, pollMs: 10 })('logout', async () => 'ran')).toBe('ran');
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock file naming its own pid that it does not hold (an engine restarted as pid 1 in a container), yet serializes its own callers', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'credentials.lock'), JSON.stringify({ pid: process.pid, what: 'token refresh', since: '2026-01-01T00:00:00.000Z' }));
    const lock = createCredentialsLock(dir, { waitMs: 10_000, pollMs: 10 });
    const order: string[] = [];
    const first = lock('login', async () => {
      order.push('first in');
      await pause(100);
      order.push('first out');
    });
    const second = lock('logout', async () => void order.push('second'));
    await Promise.all([first, second]);
    // Either may take the freed lock first; never one inside the other.
    expect([['first in', 'first out', 'second'], ['second', 'first in', 'first out']]).toContainEqual(order);
    expect(existsSync(join(dir, 'credentials.lock'))).toBe(false);
  });

  it.runIf(existsSync('/proc/sys/kernel/random/boot_id'))('takes over a lock whose holder ran in another boot, even when its pid now names a live process', async () => {
    const dir = dataDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'credentials.lock'), JSON.stringify({ pid: other.pid, what: 'token refresh', since: '2026-01-01T00:00:00.000Z', boot: 'an-earlier-boot' }));
      expect(await createCredentialsLock(dir, { waitMs: 10_000, pollMs: 10 })('logout', async () => 'ran')).toBe('ran');
    } finally {
      other.kill('SIGKILL');
    }
  });
});
