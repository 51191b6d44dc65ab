import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A file system without hard links (some network and FUSE mounts) refuses link(2) with EPERM.
vi.mock('node:fs', async (original) => ({
  ...(await original<typeof import('node:fs')>()),
  linkSync: () => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
  },
}));

const { loadRouteKey, routeKeyFile } = await import('../../../main/firewall/route-key.js');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the route key on a file system without hard links', () => {
  it('is still created, once, and read back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-route-key-nolink-'));
    dirs.push(dir);
    const key = loadRouteKey(dir);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(routeKeyFile(dir), 'utf8')).toBe(`${key}\n`);
    expect(loadRouteKey(dir)).toBe(key);
  });
});
