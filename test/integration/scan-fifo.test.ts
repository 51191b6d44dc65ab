import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

// Read plainly, a FIFO where a client's config goes blocked scan until someone wrote to it,
// and the engine's config watcher with it (every proxied message waited behind it). Run as a
// process with a time limit: in-process, the old hang would hang the test runner too.
describe('scan', () => {
  it.runIf(process.platform !== 'win32')('reports a pipe where a client config goes, and does not wait on it', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-fifo-'));
    const home = join(root, 'home');
    mkdirSync(join(home, '.cursor'), { recursive: true });
    const fifo = join(home, '.cursor', 'mcp.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = spawnSync(process.execPath, [CLI, 'scan', '--json', '--client', 'cursor'], {
      env: { PATH: process.env.PATH, HOME: home, MCP_FIREWALL_HOME: join(root, 'data') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.stdout).errors).toEqual([expect.objectContaining({ file: fifo, message: `${fifo} is not a regular file (a pipe or a device); left untouched` })]);
  });

  // ~/.claude.json is also read for the projects Claude Code has opened; there an
  // unreadable file threw out of the whole scan, and no client was scanned.
  it.runIf(process.platform !== 'win32')('scans the other clients when ~/.claude.json cannot be read, and reports it', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-fifo-'));
    const home = join(root, 'home');
    mkdirSync(join(home, '.cursor'), { recursive: true });
    writeFileSync(join(home, '.cursor', 'mcp.json'), '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}\n');
    const claudeJson = join(home, '.claude.json');
    expect(spawnSync('mkfifo', [claudeJson]).status).toBe(0);
    const r = spawnSync(process.execPath, [CLI, 'scan', '--json'], {
      env: { PATH: process.env.PATH, HOME: home, MCP_FIREWALL_HOME: join(root, 'data') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.error).toBeUndefined();
    const out = JSON.parse(r.stdout) as { servers: { client: string; name: string }[]; errors: { client: string; file: string }[] };
    expect(out.servers).toEqual([expect.objectContaining({ client: 'cursor', name: 'gh' })]);
    expect(out.errors).toEqual([expect.objectContaining({ client: 'claude-code', file: claudeJson })]);
  });
});
