import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/firewall/engine.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import type { SecretStore } from '../../../main/firewall/identity/secret-store.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const unreachable: SecretStore = {
  set: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  get: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  delete: () => Promise.reject(new Error('no keychain')),
  list: () => Promise.reject(new Error('no keychain')),
};

async function quarantineOnce(secretStore: SecretStore): Promise<{ notices: string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qkey-'));
  dirs.push(dir);
  const notices: string[] = [];
  const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), secretStore, onNotice: (m) => notices.push(m) });
  try {
    const item = { sessionId: 's1', client: 'cursor', server: 'crm', tool: 'read_key', argsDigest: 'd1', findings: [{ type: 'private-key', family: 'secret', severity: 'critical', path: 'result' }] };
    await engine.quarantine.hold(item, '{"result":{}}', 'shim');
    await engine.quarantine.hold(item, '{"result":{}}', 'shim');
  } finally {
    engine.close();
  }
  return { notices, dir };
}

describe('the quarantine key without a keychain', () => {
  it('falls back to a key file only this user can read, and says so once', async () => {
    const { notices, dir } = await quarantineOnce(unreachable);
    const file = join(dir, 'quarantine.key');
    expect(notices).toEqual([`the OS keychain is not reachable, so quarantined results are encrypted with the key in ${file} (readable by this user only)`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('says nothing when the keychain holds it', async () => {
    expect((await quarantineOnce(createMemorySecretStore())).notices).toEqual([]);
  });
});
