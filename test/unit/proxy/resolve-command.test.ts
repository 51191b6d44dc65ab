import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveOnPath } from '../../../main/firewall/proxy/resolve-command.js';

// Where the shim's spawn will find a bare command: the program the launch pin covers.

describe('resolveOnPath', () => {
  let dir: string;
  const program = (at: string, mode = 0o755) => {
    mkdirSync(at, { recursive: true });
    const file = join(at, 'node');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, mode);
    return file;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mcpfw-resolve-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the first executable file on the env PATH, as the spawn does, without following symlinks away', () => {
    const first = program(join(dir, 'first'));
    program(join(dir, 'second'));
    expect(resolveOnPath('node', { PATH: `${join(dir, 'first')}:${join(dir, 'second')}` }, dir, 'linux')).toBe(first);
  });

  it('skips a directory entry that is not executable or not a file', () => {
    program(join(dir, 'noexec'), 0o644);
    mkdirSync(join(dir, 'isdir', 'node'), { recursive: true });
    const real = program(join(dir, 'real'));
    expect(resolveOnPath('node', { PATH: ['noexec', 'isdir', 'real'].map((d) => join(dir, d)).join(':') }, dir, 'linux')).toBe(real);
  });

  it('reads an empty or relative PATH entry against the working directory the server starts in', () => {
    const here = program(dir);
    expect(resolveOnPath('node', { PATH: ':/nonexistent' }, dir, 'linux')).toBe(here);
    const rel = program(join(dir, 'bin'));
    expect(resolveOnPath('node', { PATH: 'bin' }, dir, 'linux')).toBe(rel);
  });

  it('resolves nothing for a command with a slash, one not on PATH, or on Windows (cmd.exe searches otherwise)', () => {
    program(join(dir, 'bin'));
    expect(resolveOnPath('./node', { PATH: join(dir, 'bin') }, dir, 'linux')).toBeUndefined();
    expect(resolveOnPath('node', { PATH: join(dir, 'nowhere') }, dir, 'linux')).toBeUndefined();
    expect(resolveOnPath('node', { PATH: join(dir, 'bin') }, dir, 'win32')).toBeUndefined();
  });
});
