import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import keytar from 'keytar';
import { createKeytarStore } from '../../main/firewall/identity/keytar-store.js';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { makeHome, removeHome } from '../helpers/engine-harness.js';
import { CLI } from '../helpers/paths.js';

// Against gnome-keyring's Secret Service in a private D-Bus session (scripts/with-keychain.sh).

describe('keytar adapter on the real keychain', () => {
  const service = `mcp-firewall-test-${process.pid}`;
  const store = createKeytarStore({ service });
  afterAll(async () => {
    for (const c of await keytar.findCredentials(service)) await keytar.deletePassword(service, c.account);
  });

  it('sets, lists by name and removes an entry', async () => {
    await store.set({ server: 'acme/tools', name: 'API_TOKEN' }, 'tok-real-keychain-1');
    expect(await keytar.getPassword(service, 'acme/tools/env/API_TOKEN')).toBe('tok-real-keychain-1');
    expect(await store.get({ server: 'acme/tools', name: 'API_TOKEN' })).toBe('tok-real-keychain-1');
    expect(await store.list()).toEqual([{ server: 'acme/tools', name: 'API_TOKEN', purpose: 'env' }]);
    expect(await store.delete({ server: 'acme/tools', name: 'API_TOKEN' })).toBe(true);
    expect(await store.get({ server: 'acme/tools', name: 'API_TOKEN' })).toBeNull();
    expect(await store.list()).toEqual([]);
  });

  it('overwrites a value in place when a secret is rotated', async () => {
    await store.set({ server: 's', name: 'K' }, 'old');
    await store.set({ server: 's', name: 'K' }, 'new');
    expect(await store.get({ server: 's', name: 'K' })).toBe('new');
    expect((await store.list()).length).toBe(1);
  });
});

describe('mcp-firewall secrets on the real keychain', () => {
  const home = makeHome();
  const server = `cli-roundtrip-${process.pid}`;
  const cli = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [CLI, 'secrets', ...args], { env: { ...process.env, MCP_FIREWALL_HOME: home, ...extra }, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  afterAll(async () => {
    await keytar.deletePassword(KEYCHAIN_SERVICE, `${server}/env/DB_PASSWORD`);
    removeHome(home);
  });

  it('round-trips set, list and rm through the CLI, printing names only', async () => {
    const set = cli(['set', server, 'DB_PASSWORD', '--value-stdin'], 'pw-from-stdin-42\n');
    expect(set.status, set.stderr).toBe(0);
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${server}/env/DB_PASSWORD`)).toBe('pw-from-stdin-42');

    const list = cli(['list', server, '--json']);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ entries: [{ server, name: 'DB_PASSWORD', state: 'stored' }] });
    expect(list.stdout + list.stderr + set.stdout + set.stderr).not.toContain('pw-from-stdin-42');

    const audit = spawnSync(process.execPath, [CLI, 'audit', 'query', "SELECT decision, reason FROM mcp_audit WHERE event = 'secret'", '--json'], { env: { ...process.env, MCP_FIREWALL_HOME: home }, encoding: 'utf8' });
    expect(audit.stdout).toContain('DB_PASSWORD');
    expect(audit.stdout).not.toContain('pw-from-stdin-42');

    const rm = cli(['rm', server, 'DB_PASSWORD']);
    expect(rm.status, rm.stderr).toBe(0);
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${server}/env/DB_PASSWORD`)).toBeNull();
    expect(JSON.parse(cli(['list', server, '--json']).stdout)).toEqual({ entries: [] });
  });

  it('refuses non-UTF-8 stdin and reserved names before touching the keychain', async () => {
    const bin = spawnSync(process.execPath, [CLI, 'secrets', 'set', server, 'BIN_TOKEN', '--value-stdin'], { env: { ...process.env, MCP_FIREWALL_HOME: home }, input: Buffer.from([0x61, 0xff, 0xfe, 0x62]) });
    expect(bin.status).toBe(2);
    expect(bin.stderr.toString()).toContain('not valid UTF-8');
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${server}/env/BIN_TOKEN`)).toBeNull();

    const preload = cli(['set', server, 'LD_PRELOAD', '--value-stdin'], '/tmp/evil.so');
    expect(preload.status).toBe(2);
    expect(preload.stderr).toContain('cannot be a secret');
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${server}/env/LD_PRELOAD`)).toBeNull();
    expect(JSON.parse(cli(['list', server, '--json']).stdout)).toEqual({ entries: [] });
  });

  it('lists without crashing when the keyring is locked', () => {
    // A keyring of its own (a nested with-keychain session), so locking it cannot disturb other tests.
    const script = [
      'printf tok-locked-1 | node "$CLI" secrets set locked-srv LOCKED_TOKEN --value-stdin >/dev/null',
      'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
      // libsecret segfaults inside findCredentials on locked items; before, this took the process down.
      'node "$CLI" secrets list locked-srv --json',
    ].join(' && ');
    const lockedHome = makeHome();
    const run = spawnSync('bash', ['scripts/with-keychain.sh', 'sh', '-c', script], { env: { ...process.env, MCP_FIREWALL_HOME: lockedHome, CLI }, encoding: 'utf8' });
    removeHome(lockedHome);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ entries: [{ server: 'locked-srv', name: 'LOCKED_TOKEN', state: 'unknown' }] });
    expect(run.stderr).toMatch(/keychain is not reachable \(the keychain client crashed \(SIGSEGV\); is the keyring locked\?\)/);
    expect(run.stdout + run.stderr).not.toContain('tok-locked-1');
  });
});
