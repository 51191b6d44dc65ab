import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A full disk: the next backup's write gets half its bytes out, then ENOSPC.
let diskFull = false;
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    writeFileSync: (path: fs.PathOrFileDescriptor, data: Buffer, options?: fs.WriteFileOptions) => {
      if (!diskFull || typeof path !== 'string' || !path.endsWith('.bak')) return real.writeFileSync(path, data, options);
      real.writeFileSync(path, data.subarray(0, data.length >> 1), options);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

const { writeBackup } = await import('../../../main/firewall/clients/backups.js');

let root: string;
afterEach(() => {
  diskFull = false;
  rmSync(root, { recursive: true, force: true });
});

describe('a backup written to a full disk', () => {
  // The half-written copy stayed, counted as a backup: written first, it was kept for good
  // as "the file before we ever touched it", with half the file in it.
  it('is not left behind half written, so the next one whole is the first', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-backup-enospc-'));
    const dataDir = join(root, 'data');
    const file = join(root, 'mcp.json');
    const bytes = Buffer.from('{"mcpServers": {"gh": {"command": "npx"}}}\n');
    diskFull = true;
    expect(() => writeBackup(dataDir, file, bytes, new Date())).toThrow('ENOSPC');
    const dir = join(dataDir, 'clients', 'backups');
    expect(readdirSync(dir)).toEqual([]);
    diskFull = false;
    const path = writeBackup(dataDir, file, bytes, new Date());
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readFileSync(path)).toEqual(bytes);
  });
});
