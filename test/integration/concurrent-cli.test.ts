import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';

// Several processes opening the store at once — the CLI beside the engine, two commands in
// two terminals, the desktop app starting while a client launches a shim — must wait for
// each other, not fail with "database is locked" (the WAL switch used to run before the
// busy timeout was set).

const home = mkdtempSync(join(tmpdir(), 'mcpfw-concurrent-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, MCP_FIREWALL_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('the store opened by many processes at once', () => {
  it('lets twenty registry approvals on a fresh data dir all succeed, chain intact', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cli(['registry', 'approve', `server-${i}`])));
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const listed = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'registry', 'list', '--json'], { env: { ...process.env, MCP_FIREWALL_HOME: home } });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('close', () => resolve(out));
    });
    expect((JSON.parse(listed) as unknown[]).length).toBe(20);
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });
});
