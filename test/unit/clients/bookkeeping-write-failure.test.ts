import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeKeychain } from './fake-keychain.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

// A full disk as our bookkeeping record (clients/<id>.json) is put in place; the saved original beside it is written.
let recordFails = false;
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      if (recordFails && /clients[\\/][0-9a-f]{16}\.json$/.test(String(to))) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return real.renameSync(from, to);
    },
  };
});

const { protectClients, unprotectClients } = await import('../../../main/firewall/clients/index.js');

let fx: FixtureHome;
afterEach(() => {
  recordFails = false;
  fx.cleanup();
});

const ORIGINAL = `{
  "mcpServers": {
    "docs": { "url": "https://docs.example.com/mcp", "headers": { "Authorization": "Bearer ntn_FAKEdiskfull000000000000000000000" } },
    "tools": { "command": "npx", "args": ["-y", "tools-mcp"] }
  }
}
`;

describe('protect --move-secrets on a protected file when the bookkeeping record cannot be written', () => {
  it('keeps the saved original its record names, so unprotect still gives the file back byte for byte', async () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(file, ORIGINAL);
    rmSync(join(fx.project, '.cursor'), { recursive: true }); // this file alone
    const keychain = fakeKeychain();
    // First without routes: the local entry is wrapped, the remote one left with its token.
    await protectClients(fx.deps, { client: 'cursor' });
    const protectedText = readFileSync(file, 'utf8');

    const remote = { port: 7337, key: 'route-key-of-this-install_0123456789abcdefg', standing: () => ({ kind: 'pending' as const }), propose: () => undefined };
    recordFails = true;
    const failed = await protectClients({ ...fx.deps, remote, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    recordFails = false;
    expect(failed.errors).toMatchObject([{ file, message: expect.stringContaining('ENOSPC') }]);
    expect(readFileSync(file, 'utf8')).toBe(protectedText);

    const undone = await unprotectClients({ ...fx.deps, remote, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(undone.entries).toMatchObject([{ name: 'tools', outcome: 'restored', detail: 'original bytes' }]);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  // Versions before scrub-copies.ts kept the moved token in the saved original; the next
  // protect takes it out (scrub-earlier.ts), writing the original and the record anew.
  it('when an earlier version\'s saved original loses its tokens, keeps the one the record names', async () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.cursor', 'mcp.json');
    const token = 'ghp_FAKEdiskFULLdiskfull0123456789abcdef';
    const original = `{\n  "mcpServers": {\n    "tools": { "command": "npx", "args": ["-y", "tools-mcp"], "env": { "GITHUB_TOKEN": "${token}" } }\n  }\n}\n`;
    writeFileSync(file, original);
    rmSync(join(fx.project, '.cursor'), { recursive: true });
    const keychain = fakeKeychain();
    await protectClients({ ...fx.deps, moveSecret: keychain.moveSecret }, { client: 'cursor' });
    // Made what an earlier version left: the token in the saved original, no placeholders recorded.
    const id = createHash('sha256').update(realpathSync(file)).digest('hex').slice(0, 16);
    const stateFile = join(fx.dataDir, 'clients', `${id}.json`);
    const { scrubbed: _none, ...earlier } = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify(earlier));
    writeFileSync(join(fx.dataDir, 'clients', `${id}.orig`), original);

    recordFails = true;
    const failed = await protectClients(fx.deps, { client: 'cursor' });
    recordFails = false;
    expect(failed.errors).toMatchObject([{ file, message: expect.stringContaining('ENOSPC') }]);

    const undone = await unprotectClients({ ...fx.deps, readSecret: keychain.readSecret }, { client: 'cursor' });
    expect(undone.entries).toMatchObject([{ name: 'tools', outcome: 'restored', detail: 'original bytes' }]);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
