import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FIREWALL_OWN_ENTRIES, type SecretStore } from '../identity/secret-store.js';
import { narrowToOwner } from '../private-file.js';

const KEY_REF = { server: FIREWALL_OWN_ENTRIES, name: 'QUARANTINE_KEY' } as const;
// AES-256 takes 32 bytes: 44 characters of base64, one '=' of padding.
const KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A stored key that is not 32 bytes of base64 is refused, never replaced: every result held
 * under the original would become unreadable, and a truncated copy would only fail later,
 * in OpenSSL's words, on every hold and release.
 */
function parseKey(text: string, where: string, remedy: string): Buffer {
  const trimmed = text.trim();
  if (KEY_BASE64.test(trimmed)) return Buffer.from(trimmed, 'base64');
  const found = /^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) ? `${Buffer.from(trimmed, 'base64').length} bytes of base64` : `${trimmed.length} characters that are not base64`;
  throw new Error(
    `the quarantine key in ${where} is malformed: an AES-256 key is 32 bytes of base64 (44 characters), this is ${found}. ` +
      `It is left as it is, because a new key would make every result held under the original unreadable: ${remedy}`,
  );
}

const FILE_REMEDY = 'put the original file back; or, giving up the results held under it (`mcp-firewall quarantine drop ID`), delete the file and a new key is made at the next hold.';

/**
 * The quarantine key lives in the OS keychain. Where there is none (a headless CI box
 * without a Secret Service), it falls back to a 0600 key file in the data dir and says
 * so, rather than refusing to hold results — withholding must keep working.
 *
 * The keychain is not reachable on every run (a desktop session's keyring still locked at
 * login, a shell without D-Bus), so one install can hold results under both keys. `older`:
 * the key file's key when the keychain's is the one in use, so what was held while the
 * keychain was away still opens; and an empty keychain entry takes the file's key over
 * rather than making a new one.
 */
export async function loadQuarantineKey(store: SecretStore | null, fallbackFile: string): Promise<{ key: Buffer; where: 'keychain' | 'file'; older: Buffer[] }> {
  if (store) {
    let existing: string | null | undefined;
    try {
      existing = await store.get(KEY_REF);
    } catch {
      existing = undefined; // unreachable: fall through to the file
    }
    if (typeof existing === 'string') {
      // An empty entry too. Outside the catch: a malformed entry is the user's to fix, not a reason to switch keys.
      const key = parseKey(existing, `the OS keychain (service ${KEY_REF.server}, entry ${KEY_REF.name})`,
        'put the original key back in that entry; or, giving up the results held under it (`mcp-firewall quarantine drop ID`), delete the entry and a new key is made at the next hold.');
      const fileKey = readFileKeyQuietly(fallbackFile);
      return { key, where: 'keychain', older: fileKey && !fileKey.equals(key) ? [fileKey] : [] };
    }
    if (existing === null) {
      try {
        const adopted = existsSync(fallbackFile) ? readFileKey(fallbackFile) : null;
        const fresh = adopted ?? randomBytes(32);
        await store.set(KEY_REF, fresh.toString('base64'));
        return { key: fresh, where: 'keychain', older: [] };
      } catch (error) {
        if (existsSync(fallbackFile) && !isKeychainError(error)) throw error; // a malformed file is the user's to fix
        // fall through to the file
      }
    }
  }
  if (existsSync(fallbackFile)) return { key: readFileKey(fallbackFile), where: 'file', older: [] };
  const fresh = randomBytes(32);
  writeFileSync(fallbackFile, fresh.toString('base64'), { mode: 0o600, flag: 'wx' });
  return { key: fresh, where: 'file', older: [] };
}

class MalformedKeyFile extends Error {}
const isKeychainError = (error: unknown) => !(error instanceof MalformedKeyFile);

function readFileKey(file: string): Buffer {
  narrowToOwner(file);
  try {
    return parseKey(readFileSync(file, 'utf8'), file, FILE_REMEDY);
  } catch (error) {
    throw new MalformedKeyFile((error as Error).message);
  }
}

/** The key file's key as a second key to decrypt with; a file that is missing or malformed is simply none. */
function readFileKeyQuietly(file: string): Buffer | null {
  try {
    return existsSync(file) ? readFileKey(file) : null;
  } catch {
    return null;
  }
}
