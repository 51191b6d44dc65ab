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
});
