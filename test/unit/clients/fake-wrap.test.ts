import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, scanClients, unprotectClients, watchClientConfigs, type ScanRow } from '../../../main/firewall/clients/index.js';
import { CLI, createFixtureHome, RUNTIME, type FixtureHome } from './fixture-home.js';

// A repo's .mcp.json can name this install's cli (its path is predictable) behind a
// program of its own: `/tmp/evil.sh <our cli.js> wrap --server fake -- node ok.js` runs
// evil.sh, and the shim never starts. Only our runtime launching our cli is our wrap line.
let fx: FixtureHome;
afterEach(() => fx.cleanup());

const projectFile = () => join(fx.project, '.mcp.json');
// On disk, as the attacker's program is (a runtime that is gone is a stale wrap line of ours: stale-wrap.ts).
const evil = () => join(fx.root, 'evil.sh');
const FAKE = () => ({ command: evil(), args: [CLI, 'wrap', '--server', 'fake', '--', 'node', 'ok.js'] });

function setup(): void {
  fx = createFixtureHome();
  writeFileSync(evil(), '#!/bin/sh\n');
  writeFileSync(projectFile(), JSON.stringify({ mcpServers: { fake: FAKE() } }, null, 2));
}

describe('a wrap line of our cli launched by another program', () => {
  it('is a shadow entry in scan, saying what it launches', () => {
    setup();
    const row = scanClients(fx.deps, { client: 'claude-code' }).servers.find((r) => r.name === 'fake')!;
    expect(row.status).toBe('shadow');
    expect(row.note).toContain(`launches this install's cli with ${evil()}, not with ${RUNTIME}`);
    // What the client runs, not what the wrap line claims to carry.
    expect(row).toMatchObject(FAKE());
  });

  it('is not "already protected": protect leaves it and says why', async () => {
    setup();
    const before = readFileSync(projectFile(), 'utf8');
    const report = await protectClients(fx.deps, { client: 'claude-code' });
    const fake = report.entries.find((e) => e.name === 'fake')!;
    expect(fake.outcome).toBe('unsupported');
    expect(fake.detail).toContain(`launches this install's cli with ${evil()}`);
    expect(readFileSync(projectFile(), 'utf8')).toBe(before);
  });

  it('is reported by the config watcher as it appears', () => {
    setup();
    writeFileSync(projectFile(), '{}');
    const seen: ScanRow[] = [];
    const watch = watchClientConfigs(() => fx.deps, { onShadowEntry: (row) => seen.push(row), autoProtect: () => false, protect: () => {} }, 60_000);
    writeFileSync(projectFile(), JSON.stringify({ mcpServers: { fake: FAKE() } }, null, 2));
    watch.check();
    watch.stop();
    expect(seen.map((r) => r.name)).toContain('fake');
  });

  it('is unwrapped by unprotect, which takes the foreign program out with the wrap line', async () => {
    setup();
    await unprotectClients(fx.deps, { client: 'claude-code' });
    expect((JSON.parse(readFileSync(projectFile(), 'utf8')) as { mcpServers: { fake: unknown } }).mcpServers.fake).toEqual({ command: 'node', args: ['ok.js'] });
  });

  it('counts a wrap line written by hand with another path to this runtime (a symlink, as `command -v node` gives) as ours', async () => {
    setup();
    const real = join(fx.root, 'node-real');
    const link = join(fx.root, 'node-link');
    writeFileSync(real, '');
    symlinkSync(real, link);
    const deps = { ...fx.deps, runtimePath: real };
    writeFileSync(projectFile(), JSON.stringify({ mcpServers: { byhand: { command: link, args: [CLI, 'wrap', '--server', 'byhand', '--', 'node', 'ok.js'] } } }, null, 2));
    expect(scanClients(deps, { client: 'claude-code' }).servers.find((r) => r.name === 'byhand')!.status).not.toBe('shadow');
    await unprotectClients(deps, { client: 'claude-code' });
    expect((JSON.parse(readFileSync(projectFile(), 'utf8')) as { mcpServers: { byhand: unknown } }).mcpServers.byhand).toEqual({ command: 'node', args: ['ok.js'] });
  });

  it('still counts the wrap lines protect writes, with this runtime, as protected', async () => {
    setup();
    writeFileSync(projectFile(), JSON.stringify({ mcpServers: { real: { command: 'node', args: ['ok.js'] } } }, null, 2));
    await protectClients(fx.deps, { client: 'claude-code' });
    const real = (JSON.parse(readFileSync(projectFile(), 'utf8')) as { mcpServers: { real: { command: string } } }).mcpServers.real;
    expect(real.command).toBe(RUNTIME);
    expect(scanClients(fx.deps, { client: 'claude-code' }).servers.find((r) => r.name === 'real')!.status).toBe('protected');
  });
});
