import { readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { createConfigsLock } from '../../../main/firewall/clients/configs-lock.js';
import { protectClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { fakeKeychain } from './fake-keychain.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

// protect keeps copies of each file it rewrites in the data dir (the saved original that
// unprotect restores byte for byte, a backup per write). After --move-secrets they must not
// hold the tokens just moved to the keychain.

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const TOKEN = 'ghp_FAKEcopiesCOPIEScopies0123456789abcd';
const CURSOR = `{
  "mcpServers": {
    "tools": {
      "command": "npx",
      "args": ["-y", "tools-mcp"],
      "env": { "GITHUB_TOKEN": "${TOKEN}", "LOG_LEVEL": "info" }
    }
  }
}
`;
const PLACEHOLDER = 'moved-to-os-keychain:mcp-firewall:tools/env/GITHUB_TOKEN';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every file of the data dir that holds one of the values. */
const holding = (dataDir: string, values: string[]) => walk(dataDir).filter((f) => values.some((v) => readFileSync(f).includes(v)));

function cursorHome(text = CURSOR): { file: string; keychain: ReturnType<typeof fakeKeychain> } {
  fx = createFixtureHome();
  const file = join(fx.home, '.cursor', 'mcp.json');
  writeFileSync(file, text);
  rmSync(join(fx.project, '.cursor'), { recursive: true }); // this file alone
  return { file, keychain: fakeKeychain() };
}

// Where bookkeeping.ts keeps its copies of a file.
const clientsDir = (dataDir: string) => join(dataDir, 'clients');
const fileId = (file: string) => createHash('sha256').update(realpathSync(file)).digest('hex').slice(0, 16);
const origOf = (file: string) => join(clientsDir(fx.dataDir), `${fileId(file)}.orig`);
const backupsOf = (file: string) => walk(join(clientsDir(fx.dataDir), 'backups')).filter((f) => f.includes(fileId(file)));

describe('our copies of a config after protect --move-secrets', () => {

  /** Protected with --move-secrets, then made what a version before this one left: the saved original in plaintext, no placeholders recorded. */
  async function protectedAsEarlier() {
    const home = cursorHome();
    await protectClients({ ...fx.deps, moveSecret: home.keychain.moveSecret }, { client: 'cursor' });
    const stateFile = join(clientsDir(fx.dataDir), `${fileId(home.file)}.json`);
    const { scrubbed: _none, ...earlier } = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify(earlier));
    writeFileSync(origOf(home.file), CURSOR);
    return home;
  }
  it('hold no moved token anywhere in the data dir: the saved original and the backups name the keychain item instead', async () => {
    fx = createFixtureHome();
    const keychain = fakeKeychain();
    const report = await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret });
    // The second github token is refused (another value under that name): that file keeps it, as do our copies of it.
    expect(report.errors).toHaveLength(1);
    expect(keychain.items.size).toBeGreaterThan(3);
    expect(holding(fx.dataDir, [...keychain.items.values()])).toEqual([]);
    const desktop = join(fx.home, '.config/Claude/claude_desktop_config.json');
    expect(readFileSync(origOf(desktop), 'utf8')).toContain('"GITHUB_PERSONAL_ACCESS_TOKEN": "moved-to-os-keychain:mcp-firewall:github/env/GITHUB_PERSONAL_ACCESS_TOKEN"');
    expect(readFileSync(backupsOf(desktop)[0]!, 'utf8')).toContain('moved-to-os-keychain:mcp-firewall:github/env/GITHUB_PERSONAL_ACCESS_TOKEN');
  });

  it('unprotect puts the token back from the keychain: the file comes back byte for byte', async () => {
    const { file, keychain } = cursorHome();
    await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    expect(readFileSync(origOf(file), 'utf8')).toBe(CURSOR.replace(TOKEN, PLACEHOLDER));
    const report = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(report.entries).toMatchObject([{ name: 'tools', outcome: 'restored', detail: 'original bytes, its GITHUB_TOKEN back from the OS keychain' }]);
    expect(readFileSync(file, 'utf8')).toBe(CURSOR);
  });

  it('unprotect refuses, writing nothing, when the keychain cannot give the token back, and says how to get it back', async () => {
    const { file, keychain } = cursorHome();
    await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    const protectedText = readFileSync(file, 'utf8');
    const files = () => new Map(walk(fx.root).map((f) => [f, readFileSync(f)]));
    const before = files();

    const locked = await unprotectClients({ ...fx.deps, readSecret: async () => Promise.reject(new Error('the OS keychain is not reachable (no D-Bus session)')) }, { client: 'cursor' });
    expect(locked.errors).toMatchObject([{ file, message: expect.stringMatching(/GITHUB_TOKEN of 'tools' \(keychain item mcp-firewall tools\/env\/GITHUB_TOKEN\) only as a placeholder, and the OS keychain is not reachable \(no D-Bus session\); nothing written/) }]);
    const none = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(none.errors[0]!.message).toMatch(/this unprotect has no access to the OS keychain; nothing written/);
    keychain.items.clear();
    const gone = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(gone.errors[0]!.message).toMatch(/which is gone; nothing written: put it back with 'mcp-firewall secrets set tools GITHUB_TOKEN'/);

    // Not a byte written: the file, the saved original, the bookkeeping, no new backup.
    expect(files()).toEqual(before);
    expect(readFileSync(file, 'utf8')).toBe(protectedText);
    keychain.items.set('tools/GITHUB_TOKEN', TOKEN);
    await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(readFileSync(file, 'utf8')).toBe(CURSOR);
  });

  it('a token set anew in the keychain since: the saved original is no longer the file to give back, the entry is restored on its own', async () => {
    const { file, keychain } = cursorHome();
    await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    keychain.items.set('tools/GITHUB_TOKEN', 'ghp_FAKErotatedROTATED0123456789abcdefgh');
    const report = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(report.entries).toMatchObject([{ name: 'tools', outcome: 'restored', detail: expect.stringContaining('its GITHUB_TOKEN stayed in the OS keychain') }]);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({ mcpServers: { tools: { command: 'npx', args: ['-y', 'tools-mcp'], env: { LOG_LEVEL: 'info' } } } });
    expect(text).not.toContain('moved-to-os-keychain');
  });

  it('a token the file holds escaped (not verbatim): no saved original is kept, the backup names the keychain item, unprotect restores the entry on its own', async () => {
    const escaped = TOKEN.replace('copies', 'cop\\/ies');
    const { file, keychain } = cursorHome(CURSOR.replace(TOKEN, escaped));
    const report = await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(keychain.items.get('tools/GITHUB_TOKEN')).toBe(TOKEN.replace('copies', 'cop/ies'));
    expect(holding(fx.dataDir, ['FAKEcop'])).toEqual([]);
    expect(loadState(fx.dataDir, file)!.originalHash).toBeUndefined();
    expect(readFileSync(backupsOf(file)[0]!, 'utf8')).toContain(`"GITHUB_TOKEN": "${PLACEHOLDER}"`);
    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.errors).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers.tools.env).toEqual({ LOG_LEVEL: 'info' });
  });

  it('a token moved from a file protected before, unchanged since, leaves the saved original too', async () => {
    const { file, keychain } = cursorHome(CURSOR.replace('"tools": {', '"docs": { "url": "https://docs.example.com/mcp", "headers": { "Authorization": "Bearer ntn_FAKEcopies00000000000000000000000" } },\n    "tools": {'));
    const original = readFileSync(file, 'utf8');
    // First without routes: only the local entry is wrapped, its token left in place.
    await protectClients(fx.deps, { client: 'cursor' });
    const remote = { port: 7337, key: 'route-key-of-this-install_0123456789abcdefg', standing: () => ({ kind: 'pending' as const }), propose: () => undefined };
    const report = await protectClients({ ...fx.deps, remote, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    expect(report.entries.find((e) => e.name === 'docs')).toMatchObject({ outcome: 'protected', detail: expect.stringContaining('moved 1 secret(s) to the OS keychain: AUTHORIZATION') });
    expect(holding(fx.dataDir, ['ntn_FAKEcopies'])).toEqual([]);
    expect(readFileSync(origOf(file), 'utf8')).toContain('"Authorization": "moved-to-os-keychain:mcp-firewall:docs/env/AUTHORIZATION"');
    await unprotectClients({ ...fx.deps, remote, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('loses the tokens an earlier version kept in the saved original and the backups at the next protect; unprotect still gives the bytes back', async () => {
    const { file, keychain } = await protectedAsEarlier();
    writeFileSync(backupsOf(file)[0]!, CURSOR);
    expect(holding(fx.dataDir, [TOKEN])).toHaveLength(2);

    // Nothing to protect anew; the copies lose the token all the same.
    await protectClients(fx.deps, { client: 'cursor' });
    expect(holding(fx.dataDir, [TOKEN])).toEqual([]);
    expect(readFileSync(origOf(file), 'utf8')).toBe(CURSOR.replace(TOKEN, PLACEHOLDER));
    expect(readFileSync(backupsOf(file)[0]!, 'utf8')).toBe(CURSOR.replace(TOKEN, PLACEHOLDER));
    const report = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(CURSOR);
  });

  it("rewrites an earlier version's copies only holding the configs lock: nothing is written while another protect or unprotect holds it", async () => {
    const { file } = await protectedAsEarlier();
    const stateFile = join(clientsDir(fx.dataDir), `${fileId(file)}.json`);
    const before = { state: readFileSync(stateFile, 'utf8'), orig: readFileSync(origOf(file), 'utf8') };
    let protecting: Promise<unknown> | undefined;
    await createConfigsLock(fx.dataDir)('unprotect (another process)', async () => {
      protecting = protectClients(fx.deps, { client: 'cursor' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect({ state: readFileSync(stateFile, 'utf8'), orig: readFileSync(origOf(file), 'utf8') }).toEqual(before);
    });
    await protecting;
    expect(holding(fx.dataDir, [TOKEN])).toEqual([]);
  });

  it("an earlier version's saved original where a moved name is no longer found is not marked clean: it is dropped, unprotect restores the entry on its own", async () => {
    const { file, keychain } = await protectedAsEarlier();
    // The saved original no longer has the entry at the path the move was recorded under.
    const orig = CURSOR.replace('"tools": {', '"tools-before": {');
    writeFileSync(origOf(file), orig);
    const stateFile = join(clientsDir(fx.dataDir), `${fileId(file)}.json`);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify({ ...state, originalHash: createHash('sha256').update(orig).digest('hex') }));
    expect(holding(fx.dataDir, [TOKEN])).toEqual([origOf(file)]);

    await protectClients(fx.deps, { client: 'cursor' });
    expect(holding(fx.dataDir, [TOKEN])).toEqual([]);
    const after = loadState(fx.dataDir, file)!;
    expect(after.originalHash).toBeUndefined();
    expect(after.scrubbed).toBeUndefined();
    const report = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers.tools.command).toBe('npx');
  });

  it("unprotect of an earlier version's copies, not protected again since, gives the bytes back as it did", async () => {
    const { file } = await protectedAsEarlier();
    const report = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(CURSOR);
  });
});
