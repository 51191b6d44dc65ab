import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The order of the file system calls atomicWrite makes, for the one thing a crash test
// cannot show on a machine that does not lose power: the directory is synced after the rename.
const calls: string[] = [];
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const fds = new Map<number, string>();
  return {
    ...real,
    openSync: (path: string, flags: fs.OpenMode, mode?: fs.Mode) => {
      const fd = real.openSync(path, flags, mode);
      fds.set(fd, path);
      calls.push(`open ${path}`);
      return fd;
    },
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${fds.get(fd)}`);
      real.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename to ${to}`);
      real.renameSync(from, to);
    },
  };
});

const { atomicWrite } = await import('../../../main/firewall/clients/file-io.js');

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('atomicWrite', () => {
  it('syncs the directory after the rename (not on Windows, which cannot open one), so a crash right after cannot bring the old config back', () => {
    dir = fs.realpathSync(mkdtempSync(join(tmpdir(), 'mcpfw-dir-sync-')));
    const file = join(dir, 'mcp.json');
    writeFileSync(file, '{}\n');
    calls.length = 0;
    atomicWrite(file, '{"mcpServers": {}}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"mcpServers": {}}\n');
    const renamed = calls.indexOf(`rename to ${file}`);
    expect(renamed).toBeGreaterThan(-1);
    expect(calls.slice(renamed + 1)).toEqual(process.platform === 'win32' ? [] : [`open ${dir}`, `fsync ${dir}`]);
  });
});
