import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { accountFor, KEYCHAIN_SERVICE, KeychainUnavailableError, parseAccount, type SecretRef, type SecretStore } from './secret-store.js';

type Keytar = typeof import('keytar');

export interface KeytarStoreOptions {
  service?: string;
  /**
   * A locked keyring answers with a password prompt that may never be answered on a
   * headless machine; a shim waiting for its welcome would hang with it. Past this,
   * the keychain counts as unavailable and the server is refused (fail closed).
   */
  timeoutMs?: number;
  /** Injected in tests; the real one loads the native module on first use only. */
  load?: () => Promise<Keytar>;
}

// Loaded lazily: `serve` must start (and run servers without secrets) on machines
// where the native module or the D-Bus session is missing.
async function loadKeytar(): Promise<Keytar> {
  const mod = (await import('keytar')) as Keytar & { default?: Keytar };
  return mod.default ?? mod;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms; is the keyring locked?`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// libsecret crashes the whole process (SIGSEGV in secret_value_get_text) when keytar's
// findCredentials meets items of a locked collection. The engine lists on `contain`, so the
// enumeration runs in a throwaway child: a crash there is an unavailable keychain, not a
// dead firewall. Only account names cross back; the values stay in the child.
const LIST_SCRIPT = `require(process.argv[1]).findCredentials(process.argv[2]).then(
  (found) => process.stdout.write(JSON.stringify(found.map((c) => c.account))),
  (error) => { process.stderr.write(String(error && error.message)); process.exit(1); })`;

function listAccountsInChild(service: string, timeoutMs: number): Promise<string[]> {
  const keytarPath = createRequire(import.meta.url).resolve('keytar');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', LIST_SCRIPT, keytarPath, service],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `no answer within ${timeoutMs} ms; is the keyring locked?`
            : error.signal ? `the keychain client crashed (${error.signal}); is the keyring locked?` : stderr.trim().split('\n').pop() || error.message;
          reject(new Error(why));
          return;
        }
        // Thrown here it would escape the promise (an execFile callback) and end the engine.
        try {
          const accounts: unknown = JSON.parse(stdout);
          if (!Array.isArray(accounts) || !accounts.every((a) => typeof a === 'string')) throw new Error('not a list of names');
          resolve(accounts);
        } catch {
          reject(new Error('the keychain client ended without a listing'));
        }
      },
    );
  });
}

/** The OS keychain through keytar: libsecret on Linux, Keychain on macOS, Credential Vault on Windows. */
export function createKeytarStore(options: KeytarStoreOptions = {}): SecretStore {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let keytar: Promise<Keytar> | undefined;
  const loaded = (): Promise<Keytar> =>
    (keytar ??= (options.load ?? loadKeytar)().catch((error: unknown) => {
      // Not cached: the module may be installed or rebuilt while the engine runs.
      keytar = undefined;
      throw error;
    }));
  const call = async <T>(work: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(loaded().then(work), timeoutMs);
    } catch (error) {
      throw new KeychainUnavailableError(error);
    }
  };
  return {
    set: (ref, value) => call((k) => k.setPassword(service, accountFor(ref), value)),
    get: (ref) => call((k) => k.getPassword(service, accountFor(ref))),
    delete: (ref) => call((k) => k.deletePassword(service, accountFor(ref))),
    list: () =>
      options.load === undefined
        ? call(async () => (await listAccountsInChild(service, timeoutMs)).map(parseAccount).filter((r): r is SecretRef => r !== null))
        : call(async (k) => {
            // findCredentials hands back the values too; they are dropped here, unread.
            const found = await k.findCredentials(service);
            return found.map((c) => parseAccount(c.account)).filter((r): r is SecretRef => r !== null);
          }),
  };
}
