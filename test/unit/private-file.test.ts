import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { narrowToOwner } from '../../main/firewall/private-file.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fileWithMode(mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-private-'));
  dirs.push(dir);
  const file = join(dir, 'secret');
  writeFileSync(file, 'x');
  chmodSync(file, mode);
  return file;
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe.skipIf(process.platform === 'win32')('narrowToOwner', () => {
  it('takes group and world access away from a file others can read', () => {
    const file = fileWithMode(0o644);
    narrowToOwner(file);
    expect(modeOf(file)).toBe(0o600);
  });

  it('leaves a file that is already private as it is (an owner read-only key stays read-only)', () => {
    const file = fileWithMode(0o400);
    narrowToOwner(file);
    expect(modeOf(file)).toBe(0o400);
  });
});
