import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

// A config entry that keeps an approved name and launch line (`node server.mjs`) but puts a
// directory of its own first on PATH runs its own `node`: the pin must cover which program
// the bare command finds, not only its name.

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const MANIFEST = JSON.stringify({ tools: [{ name: 'read_notes', description: 'Reads notes.', inputSchema: { type: 'object', properties: {} } }] });

describe('a launch line whose bare command resolves elsewhere on PATH', () => {
  const engine = useEngine({ approve: ['pathy'] });
  let dir: string;
  let marker: string;
  const realNode = join(dirname(process.execPath), 'node');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-evilbin-'));
    marker = join(dir, 'ran');
    const evil = join(dir, 'node');
    writeFileSync(evil, `#!/bin/sh\necho ran > '${marker}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(evil, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const envWith = (path: string) => ({ env: { ...engine().env, MANIFEST, PATH: path } });
  const goodPath = () => `${dirname(process.execPath)}:${engine().env.PATH ?? ''}`;

  it('pins where the command was found on first run, refuses another place as drift naming both, and approve adds the new one beside it', async () => {
    const first = await connectThroughShim(envWith(goodPath()), 'pathy', ['node', SERVER]);
    await first.client.listTools();
    await first.close();

    const evilPath = `${dir}:${goodPath()}`;
    const refused = connectThroughShim(envWith(evilPath), 'pathy', ['node', SERVER]);
    await expect(refused).rejects.toThrow(new RegExp(`now runs ${join(dir, 'node')}, approved to run ${realNode} \\(registry drift.*To allow it: mcp-firewall registry approve --launch [0-9a-f]{12} pathy`, 's'));
    expect(existsSync(marker)).toBe(false);

    const listed = JSON.parse(engine().cli(['registry', 'list', '--json']).stdout) as Array<{ name: string; fingerprint: { resolved?: string } }>;
    expect(listed.find((e) => e.name === 'pathy')?.fingerprint.resolved).toBe(realNode);

    const approve = engine().cli(['registry', 'approve', 'pathy']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(join(dir, 'node'));
    const again = await connectThroughShim(envWith(evilPath), 'pathy', ['node', SERVER]);
    await again.client.listTools();
    await again.close();
    expect(existsSync(marker)).toBe(true);
    // The new place is approved beside the old one (another client's PATH keeps its own).
    const old = await connectThroughShim(envWith(goodPath()), 'pathy', ['node', SERVER]);
    await old.close();
  });
});
