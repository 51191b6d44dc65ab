import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createMemorySecretStore, type MemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { loadQuarantineKey } from '../../../main/firewall/quarantine/quarantine-key.js';
import { createQuarantineService } from '../../../main/firewall/quarantine/quarantine-service.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

// One install, several engine runs: the keychain reachable on some, not on others (a keyring
// still locked at login, a shell without D-Bus). Each run loads its keys afresh, as the engine does.
function install() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qswitch-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firewall.db'));
  const keychain = createMemorySecretStore();
  const run = (reachable: boolean) => {
    keychain.setAvailable(reachable);
    return createQuarantineService(db, createAuditLog(db), async () => {
      const { key, older } = await loadQuarantineKey(keychain, join(dir, 'quarantine.key'));
      return [key, ...older];
    });
  };
  return { run, keychain: keychain as MemorySecretStore, close: () => db.close() };
}

const item = { sessionId: 's', client: 'c', server: 'notes', tool: 'read_key', argsDigest: 'd', findings: [] };

describe('quarantined results across runs with and without the keychain', () => {
  it('opens what was held while the keychain was away, and what was held before, whichever key a run uses', async () => {
    const { run, close } = install();
    try {
      const first = run(false); // headless: the key file
      const a = await first.hold(item, 'held under the file key', 'test');
      const second = run(true); // the keychain is back, its entry empty: it takes the file's key over
      expect(await second.show(a)).toMatchObject({ payload: 'held under the file key' });
      const b = await second.hold(item, 'held under the keychain key', 'test');
      const third = run(false); // away again: the file
      expect(await third.show(b)).toMatchObject({ payload: 'held under the keychain key' });
      const c = await third.hold(item, 'held while away again', 'test');
      const fourth = run(true);
      for (const [id, text] of [[a, 'held under the file key'], [b, 'held under the keychain key'], [c, 'held while away again']] as const) {
        expect(await fourth.show(id), id).toMatchObject({ payload: text });
      }
    } finally {
      close();
    }
  });

  it('opens what a run held under the file while the keychain, with its own older key, was away', async () => {
    const { run, keychain, close } = install();
    try {
      const first = run(true); // a new keychain key
      const a = await first.hold(item, 'under the keychain key', 'test');
      expect(await keychain.list()).toHaveLength(1);
      const second = run(false); // no file yet: a file key is made
      const b = await second.hold(item, 'under the file key', 'test');
      const third = run(true); // the keychain key encrypts; the file key still opens b
      expect(await third.show(a)).toMatchObject({ payload: 'under the keychain key' });
      expect(await third.show(b)).toMatchObject({ payload: 'under the file key' });
    } finally {
      close();
    }
  });
});
