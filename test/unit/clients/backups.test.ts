import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const CURSOR = `{
  "mcpServers": {
    "tools": { "command": "npx", "args": ["-y", "tools-mcp"] }
  }
}
`;
// Named by the file's real path (bookkeeping.ts recordId).
const fileId = (file: string) => createHash('sha256').update(realpathSync(file)).digest('hex').slice(0, 16);
const backupsDir = () => join(fx.dataDir, 'clients', 'backups');
const backupsOf = (file: string) => readdirSync(backupsDir()).filter((n) => n.includes(`.${fileId(file)}.`)).sort();

describe('backups of a config file', () => {
  it('keeps the first and the last 10 of each file: the ones between go, other files keep theirs, and unprotect still restores byte for byte', async () => {
    fx = createFixtureHome();
    const cursor = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(cursor, CURSOR);
    rmSync(join(fx.project, '.cursor'), { recursive: true });
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const deps = { ...fx.deps, now: () => new Date((clock += 60_000)) };
    // Another file's backup, written first: the oldest in the directory, and not cursor's to prune.
    await protectClients(deps, { client: 'claude-desktop' });
    const desktop = join(fx.home, '.config/Claude/claude_desktop_config.json');
    expect(backupsOf(desktop)).toHaveLength(1);

    const stamps: string[] = [];
    for (let round = 0; round < 7; round++) {
      for (const run of [protectClients, unprotectClients]) stamps.push((await run(deps, { client: 'cursor' })).backups[0]!);
    }
    expect(stamps).toHaveLength(14);
    expect(backupsOf(cursor)).toEqual([stamps[0]!, ...stamps.slice(-10)].map((p) => p.slice(backupsDir().length + 1)));
    // The first backup is the file before we ever touched it.
    expect(readFileSync(stamps[0]!, 'utf8')).toBe(CURSOR);
    expect(backupsOf(desktop)).toHaveLength(1);
    // The newest backup is the bytes the last unprotect replaced: the protected file.
    expect(readFileSync(stamps.at(-1)!, 'utf8')).toContain('"wrap"');

    await protectClients(deps, { client: 'cursor' });
    expect(backupsOf(cursor)).toHaveLength(11);
    await unprotectClients(deps, { client: 'cursor' });
    expect(readFileSync(cursor, 'utf8')).toBe(CURSOR);
  });

  // Pruning went by the time in the names: after the clock was set back (a dead CMOS
  // battery, a VM restored), the next backup sorted before the file's first, took its
  // place as "first", and the real first went as one of the middle at the next run.
  it('keeps the first backup first, and the last ones, after the clock was set back', async () => {
    fx = createFixtureHome();
    const cursor = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(cursor, CURSOR);
    rmSync(join(fx.project, '.cursor'), { recursive: true });
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const deps = { ...fx.deps, now: () => new Date((clock += 60_000)) };
    const written: string[] = [];
    for (let round = 0; round < 6; round++) {
      for (const run of [protectClients, unprotectClients]) written.push((await run(deps, { client: 'cursor' })).backups[0]!);
    }
    clock = Date.parse('2025-01-01T00:00:00Z');
    for (const run of [protectClients, unprotectClients, protectClients]) written.push((await run(deps, { client: 'cursor' })).backups[0]!);
    const name = (p: string) => p.slice(backupsDir().length + 1);
    // The first (the file before we ever touched it) and the last 10 written, whatever their stamps say.
    expect(backupsOf(cursor)).toEqual([written[0]!, ...written.slice(-10)].map(name).sort());
  });

  it('counts the backups an earlier version named by time alone as older than any it writes now, the oldest of them as the first', async () => {
    fx = createFixtureHome();
    const cursor = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(cursor, CURSOR);
    rmSync(join(fx.project, '.cursor'), { recursive: true });
    mkdirSync(backupsDir(), { recursive: true });
    const legacy = Array.from({ length: 11 }, (_, i) => `mcp.json.${fileId(cursor)}.2027-01-01T00-${String(i).padStart(2, '0')}-00-000Z.bak`);
    legacy.forEach((n, i) => writeFileSync(join(backupsDir(), n), i === 0 ? CURSOR : `legacy ${i}`));
    const { backups: [written] } = await protectClients({ ...fx.deps, now: () => new Date('2026-01-01T00:00:00Z') }, { client: 'cursor' });
    expect(backupsOf(cursor)).toEqual([legacy[0]!, ...legacy.slice(-9), written!.slice(backupsDir().length + 1)].sort());
  });

  it('keeps the first backup, the only byte-exact copy once the saved original is dropped, through many protect and unprotect runs', async () => {
    fx = createFixtureHome();
    const cursor = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(cursor, CURSOR);
    rmSync(join(fx.project, '.cursor'), { recursive: true });
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const deps = { ...fx.deps, now: () => new Date((clock += 60_000)) };
    await protectClients(deps, { client: 'cursor' });
    // The file changes under us: unprotect can no longer give the saved original back.
    writeFileSync(cursor, readFileSync(cursor, 'utf8').replace('"mcpServers": {', '"mcpServers": {\n    "added": { "command": "added-mcp" },'));
    for (let round = 0; round < 10; round++) {
      for (const run of [unprotectClients, protectClients]) await run(deps, { client: 'cursor' });
    }
    const kept = backupsOf(cursor);
    expect(kept).toHaveLength(11);
    expect(readFileSync(join(backupsDir(), kept[0]!), 'utf8')).toBe(CURSOR);
  });
});
