import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShimLauncher } from '../../../main/desktop/shim-launcher.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('shim launcher', () => {
  it('runs the app binary as Node with the arguments it was given', () => {
    if (process.platform === 'win32') return;
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-launcher-'));
    dirs.push(dir);
    // The current node stands in for the Electron binary: it prints what it sees.
    const launcher = writeShimLauncher(dir, process.execPath, 'linux');
    expect(statSync(launcher).mode & 0o777).toBe(0o700);
    const script = 'console.log(process.env.ELECTRON_RUN_AS_NODE, process.env.MCP_FIREWALL_ADDED_RUN_AS_NODE, process.argv.slice(1).join("|"))';
    const run = spawnSync(launcher, ['-e', script, 'a b', "it's"], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(run.stdout.trim()).toBe("1 1 a b|it's");
    // A client that set the variable itself: the launcher adds nothing the shim would take out.
    const own = spawnSync(launcher, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, ELECTRON_RUN_AS_NODE: '' } });
    expect(own.stdout.trim()).toBe('1 undefined');
  });

  it('replaces the launcher of an earlier start whole, so a client launching meanwhile never runs half of it', () => {
    if (process.platform === 'win32') return;
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-launcher-'));
    dirs.push(dir);
    const first = writeShimLauncher(dir, '/old/app', 'linux');
    // The extra link keeps the old inode allocated, so a new one proves a rename.
    linkSync(first, `${first}.held`);
    const second = writeShimLauncher(dir, process.execPath, 'linux');
    expect(statSync(second).ino).not.toBe(statSync(`${first}.held`).ino);
    expect(readFileSync(`${first}.held`, 'utf8')).toContain('/old/app');
    expect(statSync(second).mode & 0o777).toBe(0o700);
  });

  it('writes a .cmd on Windows that sets the variable and passes every argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-launcher-'));
    dirs.push(dir);
    const launcher = writeShimLauncher(dir, 'C:\\Program Files\\MCP Firewall\\MCP Firewall.exe', 'win32');
    expect(launcher.endsWith('.cmd')).toBe(true);
    expect(readFileSync(launcher, 'utf8')).toBe(
      '@echo off\r\nif not defined ELECTRON_RUN_AS_NODE set MCP_FIREWALL_ADDED_RUN_AS_NODE=1\r\nset ELECTRON_RUN_AS_NODE=1\r\n"C:\\Program Files\\MCP Firewall\\MCP Firewall.exe" %*\r\n',
    );
  });
});
