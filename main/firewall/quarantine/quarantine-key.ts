import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { SecretStore } from '../identity/secret-store.js';

const KEY_REF = { server: 'mcp-firewall', name: 'QUARANTINE_KEY' } as const;

/**
 * The quarantine key lives in the OS keychain. Where there is none (a headless CI box
 * without a Secret Service), it falls back to a 0600 key file in the data dir and says
 * so, rather than refusing to hold results — withholding must keep working.
 */
export async function loadQuarantineKey(store: SecretStore | null, fallbackFile: string): Promise<{ key: Buffer; where: 'keychain' | 'file' }> {
  if (store) {
    try {
      const existing = await store.get(KEY_REF);
      if (existing) return { key: Buffer.from(existing, 'base64'), where: 'keychain' };
      const fresh = randomBytes(32);
      await store.set(KEY_REF, fresh.toString('base64'));
      return { key: fresh, where: 'keychain' };
    } catch {
      // fall through to the file
    }
  }
  if (existsSync(fallbackFile)) return { key: Buffer.from(readFileSync(fallbackFile, 'utf8').trim(), 'base64'), where: 'file' };
  const fresh = randomBytes(32);
  writeFileSync(fallbackFile, fresh.toString('base64'), { mode: 0o600, flag: 'wx' });
  return { key: fresh, where: 'file' };
}
