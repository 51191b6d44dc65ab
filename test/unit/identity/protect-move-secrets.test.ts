import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, scanClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { fakeKeychain } from '../clients/fake-keychain.js';
import { createFixtureHome, type FixtureHome } from '../clients/fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

// The fixture configs hold fake tokens in env maps of JSON, JSONC and TOML files.
const CLAUDE_TOKEN = 'ghp_FAKEfakeFAKEfake0123456789abcdefABCD';
const CODEX_TOKEN = 'github_pat_FAKE0000fake1111FAKE2222';

function envSecretsOfLocalServers(): { client: string; name: string; secret: string }[] {
  return scanClients(fx.deps)
    .servers.filter((r) => r.transport === 'stdio')
    .flatMap((r) => r.secrets.filter((s) => s.where === 'env').map((s) => ({ client: r.client, name: r.name, secret: s.name })));
}

describe('protect --move-secrets', () => {
  it('moves every flagged env secret into the keychain and out of every client file', async () => {
    fx = createFixtureHome();
    const flagged = envSecretsOfLocalServers();
    expect(flagged.length).toBeGreaterThan(3);
    const keychain = new Map<string, string>();
    const report = await protectClients({ ...fx.deps, moveSecret: async (server, name, value) => void keychain.set(`${server}/${name}`, value) });
    expect(report.errors).toEqual([]);

    expect(keychain.get('github/GITHUB_PERSONAL_ACCESS_TOKEN')).toBeDefined();
    for (const f of flagged) expect([...keychain.keys()], `${f.client} ${f.name}`).toContain(`${f.name}/${f.secret}`);
    for (const [file, bytes] of fx.files()) {
      for (const value of [...keychain.values(), CLAUDE_TOKEN, CODEX_TOKEN]) expect(bytes.toString('utf8'), file).not.toContain(value);
    }
    expect(envSecretsOfLocalServers()).toEqual([]);
    expect(report.entries.some((e) => /moved 1 secret\(s\) to the OS keychain: GITHUB_PERSONAL_ACCESS_TOKEN/.test(e.detail ?? ''))).toBe(true);
  });

  it('leaves a secret-looking start-up variable (NODE_OPTIONS) in the file instead of failing it: the keychain refuses such names', async () => {
    fx = createFixtureHome();
    const cursor = join(fx.home, '.cursor', 'mcp.json');
    mkdirSync(dirname(cursor), { recursive: true });
    writeFileSync(cursor, JSON.stringify({ mcpServers: { tools: { command: 'npx', args: ['tools-mcp'], env: { NODE_OPTIONS: 'ghp_FAKEnodeoptions0123456789abcdefABCD', GITHUB_TOKEN: 'ghp_FAKEgithubtoken0123456789abcdefABCD' } } } }, null, 2));
    const keychain = new Map<string, string>();
    const report = await protectClients({ ...fx.deps, moveSecret: async (server, name, value) => void keychain.set(`${server}/${name}`, value) }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect([...keychain.keys()]).toContain('tools/GITHUB_TOKEN');
    expect([...keychain.keys()]).not.toContain('tools/NODE_OPTIONS');
    const written = readFileSync(cursor, 'utf8');
    expect(written).toContain('ghp_FAKEnodeoptions');
    expect(written).not.toContain('ghp_FAKEgithubtoken');
  });

  it('refuses the second file when two clients have a same-named server with different tokens', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const { items: keychain, moveSecret } = fakeKeychain();
    const report = await protectClients({ ...fx.deps, moveSecret });
    expect(report.errors).toHaveLength(1);
    const refused = report.errors[0]!;
    expect(refused.message).toMatch(/already holds a different GITHUB_PERSONAL_ACCESS_TOKEN for 'github'/);
    const kept = [CLAUDE_TOKEN, CODEX_TOKEN].filter((t) => t !== keychain.get('github/GITHUB_PERSONAL_ACCESS_TOKEN'));
    expect(kept).toHaveLength(1);
    const after = fx.files();
    const refusedFile = [...after.keys()].find((f) => refused.file.endsWith(f))!;
    expect(after.get(refusedFile)!.equals(before.get(refusedFile)!)).toBe(true);
    expect(after.get(refusedFile)!.toString('utf8')).toContain(kept[0]);
  });

  it('keeps the rest of the entry: non-secret env vars stay in place', async () => {
    fx = createFixtureHome();
    await protectClients({ ...fx.deps, moveSecret: async () => {} });
    const cline = [...fx.files()].find(([f]) => f.endsWith('cline_mcp_settings.json'))![1].toString('utf8');
    expect(cline).not.toContain('xoxb-0000000000-FAKEFAKEFAKE');
    expect(cline).toContain('SLACK_TEAM_ID');
  });

  it('leaves every file untouched when the keychain refuses the secret', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const report = await protectClients({ ...fx.deps, moveSecret: async () => Promise.reject(new Error('the OS keychain is not reachable')) });
    const after = fx.files();
    const desktop = [...before.keys()].find((f) => f.endsWith('claude_desktop_config.json'))!;
    expect(after.get(desktop)!.equals(before.get(desktop)!)).toBe(true);
    expect(report.errors.some((e) => e.file.endsWith('claude_desktop_config.json') && /keychain/.test(e.message))).toBe(true);
  });

  it('changes nothing and stores nothing on a dry run, but says what it would move', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    let stored = 0;
    const report = await protectClients({ ...fx.deps, dryRun: true, moveSecret: async () => void stored++ });
    expect(stored).toBe(0);
    expect([...fx.files()].every(([f, b]) => b.equals(before.get(f)!))).toBe(true);
    expect(report.entries.some((e) => /would move 1 secret/.test(e.detail ?? ''))).toBe(true);
  });

  it('unprotect of an untouched file gives back the original bytes, secrets included (put back from the keychain)', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const keychain = fakeKeychain();
    // One of the two github tokens is refused (another value under that name): that file stays as it was.
    expect((await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret })).errors).toHaveLength(1);
    const report = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret });
    expect(report.errors).toEqual([]);
    for (const [file, bytes] of fx.files()) expect(bytes.equals(before.get(file)!), file).toBe(true);
    expect(report.entries.some((e) => e.detail === 'original bytes, its GITHUB_PERSONAL_ACCESS_TOKEN back from the OS keychain')).toBe(true);
  });
});
