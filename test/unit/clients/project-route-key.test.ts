import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, scanClients, unprotectClients, type EditDeps } from '../../../main/firewall/clients/index.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

// A routed URL carries this install's route key, which opens every /mcp/NAME route with
// the user's credentials: it must not land in a file others can read, nor in a project
// file (shared with the repo, often committed).
const KEY = 'route-key-of-this-install_0123456789abcdefg';
let fx: FixtureHome;
afterEach(() => fx.cleanup());

function setup(): EditDeps {
  fx = createFixtureHome();
  return { ...fx.deps, remote: { port: 7337, key: KEY, standing: () => ({ kind: 'pending' }), propose: () => {} } };
}

const REMOTE = { mcpServers: { remote: { type: 'http', url: 'https://mcp.example.com/mcp' } } };
const mode = (path: string) => statSync(path).mode & 0o777;

function put(path: string, doc: unknown): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(doc, null, 2));
  chmodSync(path, 0o644);
  return path;
}

describe('the route key stays out of files others read', () => {
  it('protect routes no remote entry of a project .mcp.json, says why and how to protect it at user scope', async () => {
    const deps = setup();
    const path = put(join(fx.project, '.mcp.json'), REMOTE);
    const before = readFileSync(path, 'utf8');
    const report = await protectClients(deps, { client: 'claude-code' });
    expect(report.errors).toEqual([]);
    const entry = report.entries.find((e) => e.name === 'remote' && e.file === path)!;
    expect(entry.outcome).toBe('remote-not-routed');
    expect(entry.detail).toContain("this install's route key");
    expect(entry.detail).toContain('claude mcp add --transport http remote <url>');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readFileSync(path, 'utf8')).not.toContain(KEY);

    const row = scanClients(deps, { client: 'claude-code' }).servers.find((r) => r.file === path)!;
    expect(row.status).toBe('shadow');
    expect(row.note).toContain('not routed');
  });

  it('a route written into a project file before is not re-pointed, and scan says to move it', async () => {
    const deps = setup();
    // An older protect wrote it, with no key (a stale route): a re-point would add the key.
    const path = put(join(fx.project, '.vscode', 'mcp.json'), { servers: { remote: { type: 'http', url: 'http://127.0.0.1:7337/mcp/remote' } } });
    const before = readFileSync(path, 'utf8');
    const report = await protectClients(deps, { client: 'vscode' });
    expect(report.entries.find((e) => e.file === path)).toMatchObject({ outcome: 'remote-not-routed' });
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(scanClients(deps, { client: 'vscode' }).servers.find((r) => r.file === path)!.note).toContain('holds a firewall route');
  });

  it('a user file that receives the route key is narrowed to its owner', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    const report = await protectClients(deps, { client: 'cursor' });
    expect(report.entries.find((e) => e.file === path)).toMatchObject({ outcome: 'protected' });
    expect(readFileSync(path, 'utf8')).toContain(KEY);
    expect(mode(path)).toBe(0o600);
  });

  it('unprotect gives a narrowed file its mode back once no route is left in it', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    await protectClients(deps, { client: 'cursor' });
    expect(mode(path)).toBe(0o600);
    const report = await unprotectClients(deps, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).not.toContain(KEY);
    expect(mode(path)).toBe(0o644);
  });

  it('unprotect gives the mode back also when it puts entries back one by one', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    await protectClients(deps, { client: 'cursor' });
    // Edited after protect: the saved original is no longer the file, entries go back one by one.
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.mcpServers.added = { command: 'echo' };
    writeFileSync(path, JSON.stringify(doc, null, 2));
    const report = await unprotectClients(deps, { client: 'cursor' });
    expect(report.entries.find((e) => e.name === 'remote')).toMatchObject({ outcome: 'restored' });
    expect(readFileSync(path, 'utf8')).not.toContain(KEY);
    expect(readFileSync(path, 'utf8')).toContain('"added"');
    expect(mode(path)).toBe(0o644);
  });

  it('unprotect gives the mode back when the routes were taken out by hand', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    await protectClients(deps, { client: 'cursor' });
    writeFileSync(path, JSON.stringify({ mcpServers: {} }, null, 2));
    await unprotectClients(deps, { client: 'cursor' });
    expect(mode(path)).toBe(0o644);
  });

  it('unprotect keeps the file narrowed while a route stays in it', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    await protectClients(deps, { client: 'cursor' });
    // The user copies the routed entry by hand: we hold no record of it, so its route (and
    // the key in it) stays in the file after unprotect, as does the file's 0600.
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.mcpServers.copy = { ...doc.mcpServers.remote };
    writeFileSync(path, JSON.stringify(doc, null, 2));
    await unprotectClients(deps, { client: 'cursor' });
    expect(readFileSync(path, 'utf8')).toContain(KEY);
    expect(mode(path)).toBe(0o600);
  });

  it('unprotect leaves a mode the user chose after protect', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), REMOTE);
    await protectClients(deps, { client: 'cursor' });
    chmodSync(path, 0o640);
    await unprotectClients(deps, { client: 'cursor' });
    expect(readFileSync(path, 'utf8')).not.toContain(KEY);
    expect(mode(path)).toBe(0o640);
  });

  it('a file that receives only wrap lines keeps its mode', async () => {
    const deps = setup();
    const path = put(join(fx.home, '.cursor', 'mcp.json'), { mcpServers: { gh: { command: 'npx', args: ['gh'] } } });
    await protectClients(deps, { client: 'cursor' });
    expect(mode(path)).toBe(0o644);
  });
});
