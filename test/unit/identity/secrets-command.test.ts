import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../main/cli/command.js';
import { createSecretsCommand, decodeStdin } from '../../../main/cli/commands/secrets.js';
import { createCredentialsLock } from '../../../main/firewall/identity/credentials-lock.js';
import { SecretInputError } from '../../../main/firewall/identity/secrets.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function harness(stdin = '') {
  const home = mkdtempSync(join(tmpdir(), 'mcpfw-secrets-cli-'));
  dirs.push(home);
  const store = createMemorySecretStore();
  const command = createSecretsCommand({ store: () => store, readStdin: async () => stdin });
  let out = '';
  let err = '';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    out = '';
    err = '';
    return command(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { MCP_FIREWALL_HOME: home, ...env }, cwd: home });
  };
  const audit = () => {
    const db = openDatabase(join(home, 'firewall.db'));
    try {
      return JSON.stringify(db.prepare('SELECT * FROM mcp_audit').all());
    } finally {
      db.close();
    }
  };
  return { home, store, run, out: () => out, err: () => err, audit };
}

describe('mcp-firewall secrets', () => {
  it('reads the value from stdin, dropping the one newline echo adds', async () => {
    const h = harness('s3cr3t-from-stdin\n');
    expect(await h.run(['set', 'github', 'GITHUB_TOKEN', '--value-stdin'])).toBe(0);
    expect(await h.store.get({ server: 'github', name: 'GITHUB_TOKEN' })).toBe('s3cr3t-from-stdin');
    expect(h.out()).not.toContain('s3cr3t');
    expect(h.audit()).toContain('GITHUB_TOKEN');
    expect(h.audit()).not.toContain('s3cr3t');
  });

  it('reads the value from MCP_FIREWALL_SECRET_VALUE for scripts', async () => {
    const h = harness();
    expect(await h.run(['set', 'github', 'GITHUB_TOKEN'], { MCP_FIREWALL_SECRET_VALUE: 'from-env' })).toBe(0);
    expect(await h.store.get({ server: 'github', name: 'GITHUB_TOKEN' })).toBe('from-env');
  });

  it('never takes the value from argv, where ps would show it', async () => {
    const h = harness();
    await expect(h.run(['set', 'github', 'GITHUB_TOKEN', 'ghp_visible_in_ps'])).rejects.toBeInstanceOf(UsageError);
    expect(await h.store.list()).toEqual([]);
  });

  it('lists names and states as JSON without values, then removes', async () => {
    const h = harness();
    await h.run(['set', 'github', 'GITHUB_TOKEN'], { MCP_FIREWALL_SECRET_VALUE: 'value-xyz' });
    expect(await h.run(['list', '--json'])).toBe(0);
    const listing = JSON.parse(h.out()) as { entries: { server: string; name: string; state: string }[] };
    expect(listing.entries.map((e) => [e.server, e.name, e.state])).toEqual([['github', 'GITHUB_TOKEN', 'stored']]);
    expect(h.out()).not.toContain('value-xyz');
    expect(await h.run(['rm', 'github', 'GITHUB_TOKEN'])).toBe(0);
    expect(await h.run(['rm', 'github', 'GITHUB_TOKEN'])).toBe(1);
    await h.run(['list']);
    expect(h.out()).toBe('(no rows)\n');
  });

  it('turns a bad variable name into a usage error', async () => {
    const h = harness();
    await expect(h.run(['set', 'github', 'BAD-NAME'], { MCP_FIREWALL_SECRET_VALUE: 'v' })).rejects.toBeInstanceOf(UsageError);
  });

  it('warns and shows the index when the keychain is unreachable', async () => {
    const h = harness();
    await h.run(['set', 'github', 'GITHUB_TOKEN'], { MCP_FIREWALL_SECRET_VALUE: 'v' });
    h.store.setAvailable(false);
    expect(await h.run(['list'])).toBe(0);
    expect(h.out()).toMatch(/GITHUB_TOKEN\s+unknown/);
    expect(h.err()).toMatch(/not reachable/);
  });

  it('refuses stdin that is not UTF-8 instead of storing a mangled value, and keeps a BOM verbatim', () => {
    expect(() => decodeStdin(Buffer.from([0x61, 0x62, 0xff, 0xfe, 0x63]))).toThrow(SecretInputError);
    expect(decodeStdin(Buffer.from('\ufefftok', 'utf8'))).toBe('\ufefftok');
    expect(decodeStdin(Buffer.from('tök\n', 'utf8'))).toBe('tök\n');
  });

  it('refuses NODE_OPTIONS as a secret name with a usage error', async () => {
    const h = harness('--require /tmp/evil.js');
    await expect(h.run(['set', 'srv', 'NODE_OPTIONS', '--value-stdin'])).rejects.toBeInstanceOf(UsageError);
    expect(h.store.calls).toBe(0);
  });

  it('waits for the credentials lock before set and rm, so they cannot interleave with a login, a refresh or containment', async () => {
    const h = harness();
    const ref = { server: 'remote', name: 'AUTHORIZATION' };
    // Another process (an `auth login`, the engine's refresh) holding the data dir's lock.
    const holdWhile = async (step: () => Promise<void>) => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = createCredentialsLock(h.home)('auth login of remote', () => held);
      try {
        await step();
      } finally {
        release();
        await holding;
      }
    };
    let set!: Promise<number>;
    await holdWhile(async () => {
      set = h.run(['set', ref.server, ref.name], { MCP_FIREWALL_SECRET_VALUE: 'Bearer static' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await h.store.get(ref)).toBeNull();
    });
    expect(await set).toBe(0);
    expect(await h.store.get(ref)).toBe('Bearer static');

    let rm!: Promise<number>;
    await holdWhile(async () => {
      rm = h.run(['rm', ref.server, ref.name]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await h.store.get(ref)).toBe('Bearer static');
    });
    expect(await rm).toBe(0);
    expect(await h.store.get(ref)).toBeNull();
  });
});
