import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { revokeHeldCredentials } from '../../../main/firewall/identity/revoke-held.js';
import { createSecretIndex } from '../../../main/firewall/identity/secret-index.js';
import { KeychainUnavailableError, type SecretStore } from '../../../main/firewall/identity/secret-store.js';
import { createSecrets } from '../../../main/firewall/identity/secrets.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

const dirs: string[] = [];
const dbs: DatabaseSync[] = [];
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A keychain whose listing child crashed (libsecret on a locked collection), reads and deletes still answered. */
async function setupWithBrokenListing(indexed: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-revoke-held-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  dbs.push(db);
  const memory = createMemorySecretStore();
  const index = createSecretIndex(db);
  const audit = createAuditLog(db);
  const secrets = createSecrets({ store: memory, index, audit });
  if (indexed) await secrets.set({ server: 'crm', name: 'API_TOKEN' }, 'sk-1', 'test');
  else await memory.set({ server: 'crm', name: 'API_TOKEN' }, 'sk-1');
  const store: SecretStore = { ...memory, list: () => Promise.reject(new KeychainUnavailableError(new Error('the keychain client crashed (SIGSEGV)'))) };
  return { memory, deps: { secrets: createSecrets({ store, index, audit }), store, lock: noCredentialsLock } };
}

describe('revokeHeldCredentials when the keychain cannot be listed', () => {
  it('removes what the index names and says the listing failed', async () => {
    const { memory, deps } = await setupWithBrokenListing(true);
    const result = await revokeHeldCredentials('crm', deps);
    expect(result.revoked).toEqual(['API_TOKEN']);
    expect(result.keychainError).toMatch(/crashed/);
    expect(await memory.get({ server: 'crm', name: 'API_TOKEN' })).toBeNull();
  });

  it('does not answer a plain "nothing held" for a server whose keychain entries are unindexed', async () => {
    const { deps } = await setupWithBrokenListing(false);
    const result = await revokeHeldCredentials('crm', deps);
    expect(result.revoked).toEqual([]);
    expect(result.keychainError).toMatch(/crashed/);
  });
});

describe("the firewall's own keychain entries", () => {
  it('are no server\'s: containment, secrets rm and secrets set leave the quarantine key alone, and list does not show it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-own-entries-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    dbs.push(db);
    const store = createMemorySecretStore();
    const key = { server: 'mcp-firewall', name: 'QUARANTINE_KEY' };
    await store.set(key, 'the-quarantine-key');
    const secrets = createSecrets({ store, index: createSecretIndex(db), audit: createAuditLog(db) });
    const revoked = await revokeHeldCredentials('mcp-firewall', { secrets, store, lock: noCredentialsLock });
    expect(revoked.revoked).toEqual([]);
    await expect(secrets.remove(key, 'test')).rejects.toThrow(/MCP Firewall's own keychain entries/);
    await expect(secrets.set(key, 'overwritten', 'test')).rejects.toThrow(/MCP Firewall's own keychain entries/);
    expect((await secrets.list()).entries).toEqual([]);
    expect(await store.get(key)).toBe('the-quarantine-key');
  });
});
