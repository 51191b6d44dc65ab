import { createHash } from 'node:crypto';
import { chmodSync, chownSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { protectClients, scanClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { CLI, createFixtureHome, RUNTIME, onlyCursorFile, type FixtureHome } from './fixture-home.js';

// What protect and unprotect do to a user's file when the world around them moves.

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const cursorFile = (text: string) => onlyCursorFile(fx, text);

/** One servers file shared by Cursor and Windsurf through a symlink, as is common advice. */
function cursorFileLinkedIntoWindsurf(): { path: string; windsurf: string } {
  fx = createFixtureHome();
  const path = cursorFile(GH);
  const windsurf = join(fx.home, '.codeium/windsurf/mcp_config.json');
  mkdirSync(join(windsurf, '..'), { recursive: true });
  rmSync(windsurf, { force: true });
  symlinkSync(path, windsurf);
  return { path, windsurf };
}

const GH = '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}\n';
const THEIRS = '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}, "new": {"command": "uvx"}}}\n';

describe('writing client configs', () => {
  it('does not rename over what the client wrote after the first check, while backup and bookkeeping were written', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    // The clock is read between the check and the write: the client saves its config just then.
    const clientWrites = (text: string) => () => {
      writeFileSync(path, text);
      return new Date();
    };
    const report = await protectClients({ ...fx.deps, now: clientWrites(THEIRS) }, { client: 'cursor' });
    expect(report.errors).toMatchObject([{ file: path, message: expect.stringContaining('changed while we were editing it') }]);
    expect(readFileSync(path, 'utf8')).toBe(THEIRS);
    // Nothing of that run is left to undo: the next run protects both entries.
    expect((await protectClients(fx.deps, { client: 'cursor' })).entries.map((e) => `${e.name}:${e.outcome}`)).toEqual(['gh:protected', 'new:protected']);

    const protectedText = readFileSync(path, 'utf8');
    const later = protectedText.replace('"mcpServers": {', '"mcpServers": {"later": {"command": "later"}, ');
    const undone = await unprotectClients({ ...fx.deps, now: clientWrites(later) }, { client: 'cursor' });
    expect(undone.errors).toMatchObject([{ file: path, message: expect.stringContaining('changed while we were editing it') }]);
    expect(readFileSync(path, 'utf8')).toBe(later);
  });

  // sudo mcp-firewall protect with HOME kept: the rename left a root-owned 0600 file the
  // client, running as the user, could no longer read (or save) at all.
  it.skipIf(process.getuid?.() !== 0)('keeps the owner of a file it rewrites as root', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    chmodSync(path, 0o600);
    chownSync(path, 1000, 1001);
    const owner = () => [statSync(path).uid, statSync(path).gid, statSync(path).mode & 0o777];
    expect((await protectClients(fx.deps, { client: 'cursor' })).entries).toMatchObject([{ name: 'gh', outcome: 'protected' }]);
    expect(owner()).toEqual([1000, 1001, 0o600]);
    await unprotectClients(fx.deps, { client: 'cursor' });
    expect(readFileSync(path, 'utf8')).toBe(GH);
    expect(owner()).toEqual([1000, 1001, 0o600]);
  });

  // An installer can write an entry shaped like a wrap line to slip past the firewall:
  // scan and the watcher count it as shadow, so protect must not call it protected.
  it('does not report a look-alike wrap line of an unknown cli as already protected', async () => {
    fx = createFixtureHome();
    const other = join(fx.root, 'elsewhere/cli.js');
    const path = cursorFile(JSON.stringify({ mcpServers: {
      gh: { command: process.execPath, args: [other, 'wrap', '--server', 'gh', '--client', 'cursor', '--', 'npx', 'evil'] },
      ours: { command: RUNTIME, args: [CLI, 'wrap', '--server', 'ours', '--client', 'cursor', '--', 'npx', 'ours'] },
    } }));
    const before = readFileSync(path);
    const report = await protectClients(fx.deps, { client: 'cursor' });
    expect(report.entries.map((e) => [e.name, e.outcome])).toEqual([['gh', 'unsupported'], ['ours', 'already-protected']]);
    expect(report.entries[0]!.detail).toContain(`unknown cli (${other})`);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(scanClients(fx.deps, { client: 'cursor' }).servers.map((r) => [r.name, r.status])).toEqual([['gh', 'shadow'], ['ours', 'protected']]);
  });

  it('says which bookkeeping file is damaged and writes nothing, while scan (and so the watcher) still looks', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    await protectClients(fx.deps, { client: 'cursor' });
    // A look-alike beside ours makes scan consult the bookkeeping.
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { mcpServers: Record<string, unknown> };
    doc.mcpServers.other = { command: 'node', args: ['/elsewhere/cli.js', 'wrap', '--server', 'other', '--', 'npx', 'x'] };
    writeFileSync(path, JSON.stringify(doc));
    const dir = join(fx.dataDir, 'clients');
    const state = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    writeFileSync(join(dir, state), '{"version": 1, "entr');
    const before = readFileSync(path);

    expect(scanClients(fx.deps, { client: 'cursor' }).servers.map((r) => [r.name, r.status])).toEqual([['gh', 'protected'], ['other', 'shadow']]);
    const damaged = { file: path, message: expect.stringContaining(`our bookkeeping for this file (${join(dir, state)}) is damaged`) };
    const protectedAgain = await protectClients(fx.deps, { client: 'cursor' });
    expect(protectedAgain.errors).toMatchObject([damaged]);
    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.errors).toMatchObject([damaged]);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readFileSync(join(dir, state), 'utf8')).toBe('{"version": 1, "entr');
  });

  // Sharing one servers file between clients by symlink is common advice (Cursor's and
  // Windsurf's mcpServers are one format). Read twice, the second copy was stale the moment
  // the first was written: every protect and unprotect then failed on it and called the
  // protected entry refused.
  it('edits a file reached by two paths (a symlink) once', async () => {
    const { path, windsurf } = cursorFileLinkedIntoWindsurf();
    const report = await protectClients(fx.deps);
    expect(report.errors).toEqual([]);
    const here = (e: { file: string }) => e.file === path || e.file === windsurf;
    expect(report.entries.filter(here)).toMatchObject([{ client: 'cursor', name: 'gh', outcome: 'protected' }]);
    expect(scanClients(fx.deps).servers.filter(here)).toMatchObject([{ client: 'cursor', name: 'gh', status: 'protected' }]);
    const undone = await unprotectClients(fx.deps);
    expect(undone.errors).toEqual([]);
    expect(readFileSync(windsurf, 'utf8')).toBe(GH);
  });

  // The wrap line named the client whose path reached the file first (`--client cursor`):
  // Windsurf's sessions of that server then passed for Cursor's, in the audit log and in
  // policy rules on mcp.client. Without --client, the shim tells them apart as it runs.
  it('names no client in the wrap lines of a file two clients read, and its own in a file one client reads', async () => {
    const { path } = cursorFileLinkedIntoWindsurf();
    const wrapArgs = () => JSON.parse(readFileSync(path, 'utf8')).mcpServers.gh.args as string[];
    for (const client of [undefined, 'cursor', 'windsurf']) {
      const done = await protectClients(fx.deps, client ? { client } : {});
      expect(done.errors).toEqual([]);
      expect(wrapArgs()).toEqual([CLI, 'wrap', '--server', 'gh', '--', 'npx', '-y', 'gh']);
      await unprotectClients(fx.deps);
    }
    rmSync(join(fx.home, '.codeium/windsurf/mcp_config.json'));
    await protectClients(fx.deps, { client: 'cursor' });
    expect(wrapArgs()).toEqual([CLI, 'wrap', '--server', 'gh', '--client', 'cursor', '--', 'npx', '-y', 'gh']);
  });

  // discover reads such a file once, under whichever path it reaches first: the records
  // (bookkeeping, saved original, backups) go by the file's real path, so protect through
  // one path and unprotect through the other still meet.
  it('finds the records of a file reached by two paths whichever path protected it', async () => {
    const { path, windsurf } = cursorFileLinkedIntoWindsurf();
    const done = await protectClients(fx.deps, { client: 'windsurf' });
    expect(done.entries).toMatchObject([{ client: 'windsurf', name: 'gh', outcome: 'protected' }]);
    expect(loadState(fx.dataDir, path)).toMatchObject({ file: windsurf });
    expect(scanClients(fx.deps, { client: 'cursor' }).servers).toMatchObject([{ name: 'gh', status: 'protected' }]);

    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.errors).toEqual([]);
    expect(undone.entries).toMatchObject([{ client: 'cursor', name: 'gh', outcome: 'restored' }]);
    expect(readFileSync(path, 'utf8')).toBe(GH);
    expect(loadState(fx.dataDir, windsurf)).toBeUndefined();
    expect(readdirSync(join(fx.dataDir, 'clients')).filter((n) => !n.startsWith('backups'))).toEqual([]);
    // One file, one set of backups: the protect's and the unprotect's.
    expect(readdirSync(join(fx.dataDir, 'clients', 'backups'))).toHaveLength(2);
  });

  it("reads a record an earlier version filed under the path as reached, and files it anew under the real path", async () => {
    const { path, windsurf } = cursorFileLinkedIntoWindsurf();
    await protectClients(fx.deps, { client: 'windsurf' });
    // As an earlier version left it: named by the link's path.
    const dir = join(fx.dataDir, 'clients');
    const id = (file: string) => createHash('sha256').update(file).digest('hex').slice(0, 16);
    for (const ext of ['json', 'orig']) renameSync(join(dir, `${id(realpathSync(path))}.${ext}`), join(dir, `${id(windsurf)}.${ext}`));
    expect(loadState(fx.dataDir, windsurf)).toMatchObject({ file: windsurf });

    const again = await protectClients(fx.deps, { client: 'windsurf' });
    expect(again.errors).toEqual([]);
    const undone = await unprotectClients(fx.deps, { client: 'windsurf' });
    expect(undone.errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(GH);
    expect(readdirSync(dir).filter((n) => !n.startsWith('backups'))).toEqual([]);
  });

  it('clears the temp files a crashed write left beside the config, and only those', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    const dir = join(fx.home, '.cursor');
    // pid 2^22 + 1 is above Linux's pid_max: no process has it.
    const crashed = `.mcp.json.mcp-firewall-${2 ** 22 + 1}-0badc0de.tmp`;
    const running = `.mcp.json.mcp-firewall-${process.pid}-0badc0de.tmp`;
    for (const name of [crashed, running, 'notes.tmp']) writeFileSync(join(dir, name), GH);
    await protectClients(fx.deps, { client: 'cursor' });
    expect(readdirSync(dir).sort()).toEqual([running, 'mcp.json', 'notes.tmp'].sort());
    expect(readFileSync(path, 'utf8')).toContain('wrap');
  });

  it('says that --move-secrets left the secrets of an entry protected before where they are', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0123"}}}}\n');
    await protectClients(fx.deps, { client: 'cursor' });
    const moved: string[] = [];
    const report = await protectClients({ ...fx.deps, moveSecret: async (_server, name) => void moved.push(name) }, { client: 'cursor' });
    expect(report.entries).toMatchObject([{ name: 'gh', outcome: 'already-protected', detail: expect.stringContaining('GITHUB_TOKEN stays in the file') }]);
    expect(moved).toEqual([]);
    expect(readFileSync(path, 'utf8')).toContain('ghp_FAKE');
  });
});

// A dotfile manager can keep a config as a hard link into its repo (some clients do not
// follow symlinks). A rename gave the config's path a new file: the repo's name kept the
// old content, and the two disagreed from then on.
describe('a config file with a second hard link', () => {
  it('keeps the link through protect and unprotect: both names see each change', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    const repoCopy = join(fx.root, 'dotfiles-mcp.json');
    linkSync(path, repoCopy);
    const done = await protectClients(fx.deps, { client: 'cursor' });
    expect(done.errors).toEqual([]);
    expect(done.entries).toMatchObject([{ name: 'gh', outcome: 'protected' }]);
    expect(statSync(path).nlink).toBe(2);
    expect(readFileSync(repoCopy, 'utf8')).toContain('"wrap"');
    expect(readFileSync(repoCopy, 'utf8')).toBe(readFileSync(path, 'utf8'));

    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.errors).toEqual([]);
    expect(statSync(path).nlink).toBe(2);
    expect(readFileSync(repoCopy, 'utf8')).toBe(GH);
  });

  // realpath does not see through a hard link: the file was read once per client, and the
  // second copy was stale the moment the first was written ("changed while we were editing it").
  it('edits a file hard-linked into two clients once, naming no client', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    const windsurf = join(fx.home, '.codeium/windsurf/mcp_config.json');
    rmSync(windsurf, { force: true });
    mkdirSync(join(windsurf, '..'), { recursive: true });
    linkSync(path, windsurf);
    const done = await protectClients(fx.deps);
    expect(done.errors).toEqual([]);
    expect(done.entries.filter((e) => e.file === path || e.file === windsurf)).toMatchObject([{ client: 'cursor', name: 'gh', outcome: 'protected' }]);
    expect(JSON.parse(readFileSync(windsurf, 'utf8')).mcpServers.gh.args).toEqual([CLI, 'wrap', '--server', 'gh', '--', 'npx', '-y', 'gh']);
    const undone = await unprotectClients(fx.deps);
    expect(undone.errors).toEqual([]);
    expect(readFileSync(windsurf, 'utf8')).toBe(GH);
  });

  it('finds the records of a file protected through one hard link when it is unprotected through the other', async () => {
    fx = createFixtureHome();
    // Spaced as no writer of ours would: only the saved original gives these bytes back.
    const original = '{"mcpServers": {"gh": {"command": "npx",   "args": ["-y",  "gh"]}}}\n';
    const path = cursorFile(original);
    const windsurf = join(fx.home, '.codeium/windsurf/mcp_config.json');
    rmSync(windsurf, { force: true });
    mkdirSync(join(windsurf, '..'), { recursive: true });
    linkSync(path, windsurf);
    expect((await protectClients(fx.deps, { client: 'windsurf' })).errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).toContain('"wrap"');
    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.errors).toEqual([]);
    expect(readFileSync(windsurf, 'utf8')).toBe(original);
    expect(statSync(path).nlink).toBe(2);
    expect(readdirSync(join(fx.dataDir, 'clients')).filter((n) => n !== 'backups')).toEqual([]);
  });

  it('still refuses to write over what the client saved after the first check', async () => {
    fx = createFixtureHome();
    const path = cursorFile(GH);
    linkSync(path, join(fx.root, 'dotfiles-mcp.json'));
    // The clock is read between the first check and the write: the client saves just then.
    const clientSaves = () => {
      writeFileSync(path, THEIRS);
      return new Date();
    };
    const report = await protectClients({ ...fx.deps, now: clientSaves }, { client: 'cursor' });
    expect(report.errors).toMatchObject([{ message: expect.stringContaining('changed while we were editing it') }]);
    expect(readFileSync(path, 'utf8')).toBe(THEIRS);
  });
});
