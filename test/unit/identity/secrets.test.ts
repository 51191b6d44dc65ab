import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { createSecretIndex } from '../../../main/firewall/identity/secret-index.js';
import { accountFor, parseAccount } from '../../../main/firewall/identity/secret-store.js';
import { createSecrets, SecretConflictError, SecretInputError } from '../../../main/firewall/identity/secrets.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
const dbs: DatabaseSync[] = [];
function setup(initial: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-secrets-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  dbs.push(db);
  const store = createMemorySecretStore(initial);
  const index = createSecretIndex(db);
  const secrets = createSecrets({ store, index, audit: createAuditLog(db) });
  const auditText = () => JSON.stringify(db.prepare("SELECT * FROM mcp_audit WHERE event = 'secret' ORDER BY id").all());
  return { db, store, index, secrets, auditText };
}
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('keychain accounts', () => {
  it('round-trips server names that contain slashes', () => {
    const ref = { server: 'acme/tools', name: 'API_TOKEN' };
    expect(accountFor(ref)).toBe('acme/tools/env/API_TOKEN');
    expect(parseAccount(accountFor(ref))).toEqual({ ...ref, purpose: 'env' });
    expect(parseAccount('no-purpose-marker')).toBeNull();
  });
});

describe('secrets service', () => {
  it('stores a value in the store, its name in the index, and audits the name but never the value', async () => {
    const { store, index, secrets, auditText } = setup();
    await secrets.set({ server: 'github', name: 'GITHUB_TOKEN' }, 'ghp_supersecretvalue123', 'cli');
    expect(await store.get({ server: 'github', name: 'GITHUB_TOKEN' })).toBe('ghp_supersecretvalue123');
    expect(index.names('github')).toEqual(['GITHUB_TOKEN']);
    expect(auditText()).toContain('GITHUB_TOKEN');
    expect(auditText()).not.toContain('ghp_supersecretvalue123');
  });

  it('hands a server exactly its own indexed secrets at spawn', async () => {
    const { secrets } = setup();
    await secrets.set({ server: 'a', name: 'TOKEN' }, 'value-a', 'cli');
    await secrets.set({ server: 'a', name: 'OTHER' }, 'value-a2', 'cli');
    await secrets.set({ server: 'b', name: 'TOKEN' }, 'value-b', 'cli');
    expect(await secrets.envFor('a')).toEqual({ OTHER: 'value-a2', TOKEN: 'value-a' });
    expect(await secrets.envFor('b')).toEqual({ TOKEN: 'value-b' });
  });

  it('never injects keychain entries that this data dir did not index', async () => {
    const { secrets } = setup({ 'a/env/STRAY': 'from-another-data-dir' });
    expect(await secrets.envFor('a')).toEqual({});
  });

  it('starts a server without secrets when the keychain is unreachable, without asking it', async () => {
    const { store, secrets } = setup();
    store.setAvailable(false);
    const before = store.calls;
    expect(await secrets.envFor('plain')).toEqual({});
    expect(store.calls).toBe(before);
  });

  it('refuses (throws for) a server that has secrets when the keychain is unreachable', async () => {
    const { store, secrets } = setup();
    await secrets.set({ server: 'github', name: 'GITHUB_TOKEN' }, 'v', 'cli');
    store.setAvailable(false);
    await expect(secrets.envFor('github')).rejects.toThrow(/keychain is not reachable/);
  });

  it('refuses a server whose indexed secret vanished from the keychain, naming it but not its value', async () => {
    const { store, secrets } = setup();
    await secrets.set({ server: 'github', name: 'GITHUB_TOKEN' }, 'v', 'cli');
    await store.delete({ server: 'github', name: 'GITHUB_TOKEN' });
    await expect(secrets.envFor('github')).rejects.toThrow(/GITHUB_TOKEN are indexed but missing/);
  });

  it('audits each injection with the names only', async () => {
    const { secrets, auditText } = setup();
    await secrets.set({ server: 'github', name: 'GITHUB_TOKEN' }, 'tok-123456789', 'cli');
    await secrets.envFor('github');
    expect(auditText()).toContain('INJECTED');
    expect(auditText()).not.toContain('tok-123456789');
  });

  it('removes from store and index, and reports a second removal as nothing to do', async () => {
    const { store, index, secrets } = setup();
    await secrets.set({ server: 's', name: 'K' }, 'v', 'cli');
    expect(await secrets.remove({ server: 's', name: 'K' }, 'cli')).toBe(true);
    expect(index.names('s')).toEqual([]);
    expect(await store.list()).toEqual([]);
    expect(await secrets.remove({ server: 's', name: 'K' }, 'cli')).toBe(false);
  });

  it('does not index a secret the keychain refused to store', async () => {
    const { store, index, secrets } = setup();
    store.setAvailable(false);
    await expect(secrets.set({ server: 's', name: 'K' }, 'v', 'cli')).rejects.toThrow(/not reachable/);
    expect(index.names('s')).toEqual([]);
  });

  it('rejects names that could corrupt an environment block and empty values', async () => {
    const { secrets } = setup();
    await expect(secrets.set({ server: 's', name: 'A=B' }, 'v', 'cli')).rejects.toBeInstanceOf(SecretInputError);
    await expect(secrets.set({ server: 's', name: '1ABC' }, 'v', 'cli')).rejects.toBeInstanceOf(SecretInputError);
    await expect(secrets.set({ server: 's', name: 'OK' }, '', 'cli')).rejects.toBeInstanceOf(SecretInputError);
    await expect(secrets.set({ server: 's', name: 'OK' }, 'a\0b', 'cli')).rejects.toBeInstanceOf(SecretInputError);
  });

  it('adopts a secret found in a client file, but never overwrites a different stored value', async () => {
    const { store, index, secrets, auditText } = setup();
    await secrets.adopt({ server: 'github', name: 'TOKEN' }, 'from-desktop', 'protect');
    await secrets.adopt({ server: 'github', name: 'TOKEN' }, 'from-desktop', 'protect');
    await expect(secrets.adopt({ server: 'github', name: 'TOKEN' }, 'from-codex', 'protect')).rejects.toBeInstanceOf(SecretConflictError);
    expect(await store.get({ server: 'github', name: 'TOKEN' })).toBe('from-desktop');
    expect(index.names('github')).toEqual(['TOKEN']);
    expect(auditText()).toContain('moved from a client config');
    expect(auditText()).not.toContain('from-codex');
  });

  it('lists names with their keychain state, and only the index when the keychain is unreachable', async () => {
    const { store, secrets } = setup({ 'x/env/STRAY': 'v' });
    await secrets.set({ server: 's', name: 'KEPT' }, 'v', 'cli');
    await secrets.set({ server: 's', name: 'GONE' }, 'v', 'cli');
    await store.delete({ server: 's', name: 'GONE' });
    const listing = await secrets.list();
    expect(listing.entries.map((e) => [e.server, e.name, e.state])).toEqual([
      ['s', 'GONE', 'missing'],
      ['s', 'KEPT', 'stored'],
      ['x', 'STRAY', 'not-indexed'],
    ]);
    expect(JSON.stringify(listing)).not.toMatch(/"v"/);
    store.setAvailable(false);
    const offline = await secrets.list('s');
    expect(offline.keychainError).toMatch(/not reachable/);
    expect(offline.entries.map((e) => e.state)).toEqual(['unknown', 'unknown']);
  });

  it('refuses names that would hijack the server process instead of configuring it', async () => {
    const { store, index, secrets } = setup();
    for (const name of ['NODE_OPTIONS', 'LD_PRELOAD', 'ld_library_path', 'DYLD_INSERT_LIBRARIES', 'PATH', 'PYTHONPATH', 'BASH_ENV', '__proto__', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_COUNT', 'PYTHONWARNINGS', 'BROWSER']) {
      await expect(secrets.set({ server: 's', name }, 'x', 'cli'), name).rejects.toBeInstanceOf(SecretInputError);
      await expect(secrets.adopt({ server: 's', name }, 'x', 'protect'), name).rejects.toBeInstanceOf(SecretInputError);
    }
    expect(store.calls).toBe(0);
    expect(index.names('s')).toEqual([]);
    // Ordinary credential names still pass.
    await secrets.set({ server: 's', name: 'NODE_AUTH_TOKEN' }, 'x', 'cli');
    expect(index.names('s')).toEqual(['NODE_AUTH_TOKEN']);
  });

  it('refuses to start a server whose index (written behind our back) names a reserved variable', async () => {
    const { store, index, secrets } = setup({ 's/env/NODE_OPTIONS': '--require /tmp/evil.js', 's/env/TOKEN': 't' });
    index.add({ server: 's', name: 'NODE_OPTIONS' });
    index.add({ server: 's', name: 'TOKEN' });
    await expect(secrets.envFor('s')).rejects.toThrow(/NODE_OPTIONS of 's' cannot be injected/);
    expect(store.calls).toBe(0);
  });

  it('refuses a value too large for one environment string', async () => {
    const { store, secrets } = setup();
    await expect(secrets.set({ server: 's', name: 'BIG' }, 'x'.repeat(1024 * 1024), 'cli')).rejects.toThrow(/larger than 64 KiB/);
    expect(store.calls).toBe(0);
    await secrets.set({ server: 's', name: 'PEM' }, 'k'.repeat(60 * 1024), 'cli');
  });

  it('names a locked keyring as a cause when an indexed secret reads back empty', async () => {
    const { store, secrets } = setup();
    await secrets.set({ server: 's', name: 'TOKEN' }, 'v', 'cli');
    await store.delete({ server: 's', name: 'TOKEN' });
    await expect(secrets.envFor('s')).rejects.toThrow(/keyring is locked/);
  });
});

describe('removing names that could never have been stored through us', () => {
  // The index is in a database any local process of the user can write, and the keychain is
  // theirs too: a name planted there gets the server refused ("remove it with secrets rm").
  it('removes a planted start-up variable (NODE_OPTIONS) from the index and the keychain', async () => {
    const { store, index, secrets } = setup();
    index.add({ server: 'crm', name: 'NODE_OPTIONS' });
    await store.set({ server: 'crm', name: 'NODE_OPTIONS' }, '--require /tmp/evil.js');
    await expect(secrets.envFor('crm')).rejects.toThrow(/secrets rm crm NAME/);
    expect(await secrets.remove({ server: 'crm', name: 'NODE_OPTIONS' }, 'cli')).toBe(true);
    expect(index.names('crm')).toEqual([]);
    expect(await store.list()).toEqual([]);
    await expect(secrets.envFor('crm')).resolves.toEqual({});
  });

  it('lets containment remove every credential of the server, a planted name among them', async () => {
    const { store, index, secrets } = setup();
    await secrets.set({ server: 'crm', name: 'SLACK_TOKEN' }, 'xoxb-1', 'test');
    index.add({ server: 'crm', name: 'LD_PRELOAD' });
    const { revokeHeldCredentials } = await import('../../../main/firewall/identity/revoke-held.js');
    const result = await revokeHeldCredentials('crm', { secrets, store, lock: (_what, work) => work() });
    expect(result.revoked.sort()).toEqual(['LD_PRELOAD', 'SLACK_TOKEN']);
    expect(await store.list()).toEqual([]);
    expect(index.names('crm')).toEqual([]);
  });

  it('still refuses a name with a control character or an invalid server name', async () => {
    const { secrets } = setup();
    await expect(secrets.remove({ server: 'crm', name: 'A\u0000B' }, 'cli')).rejects.toBeInstanceOf(SecretInputError);
    await expect(secrets.remove({ server: '', name: 'TOKEN' }, 'cli')).rejects.toBeInstanceOf(SecretInputError);
  });
});
