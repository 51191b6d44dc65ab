import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { sha256 } from '../../../main/firewall/clients/file-io.js';
import { protectClients, unprotectClients, type EditReport } from '../../../main/firewall/clients/index.js';
import { createFixtureHome, onlyCursorFile, type FixtureHome } from './fixture-home.js';

// The engine's auto-protect and a `protect` in a terminal reaching one file at once.

let fx: FixtureHome;
afterEach(() => fx.cleanup());

// Laid out as a person wrote it: only the saved original gives these bytes back.
const ORIGINAL = '{"mcpServers": {"gh": {"command":   "npx", "args": [ "-y",\n      "gh" ]}}}\n';

describe('two protect runs on one file at once', () => {
  it('leave the bookkeeping of the run that wrote, so unprotect restores the file byte for byte', async () => {
    fx = createFixtureHome();
    const path = onlyCursorFile(fx, ORIGINAL);
    // The other run starts once this one has checked the file is as it read it (its backup's
    // clock is read then) and runs as far as it can before yielding: its whole write step,
    // unless it must wait for the lock this run holds.
    let other: Promise<EditReport> | undefined;
    const clock = () => {
      other ??= protectClients(fx.deps, { client: 'cursor' });
      return new Date();
    };
    const first = await protectClients({ ...fx.deps, now: clock }, { client: 'cursor' });
    const second = await other!;
    // One of them wrote the file; the other found it changed and wrote nothing.
    const messages = [...first.errors, ...second.errors].map((e) => e.message);
    expect(messages).toEqual([expect.stringContaining('changed while we were editing it')]);
    expect(loadState(fx.dataDir, path)).toBeDefined();
    expect(existsSync(join(fx.dataDir, 'client-configs.lock'))).toBe(false);

    const undone = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(undone.entries).toMatchObject([{ name: 'gh', outcome: 'restored', detail: 'original bytes' }]);
    expect(readFileSync(path, 'utf8')).toBe(ORIGINAL);
  });

  it('with an unprotect at the same moment, keep bookkeeping that describes the file as written', async () => {
    fx = createFixtureHome();
    const path = onlyCursorFile(fx, ORIGINAL);
    await protectClients(fx.deps, { client: 'cursor' });
    // A new server, as a client adds one: protect wraps it while an unprotect runs.
    const added = readFileSync(path, 'utf8').replace('"mcpServers": {', '"mcpServers": {"new": {"command": "uvx"}, ');
    writeFileSync(path, added);
    let other: Promise<EditReport> | undefined;
    const clock = () => {
      other ??= unprotectClients(fx.deps, { client: 'cursor' });
      return new Date();
    };
    const protecting = await protectClients({ ...fx.deps, now: clock }, { client: 'cursor' });
    const unprotecting = await other!;
    expect([...protecting.errors, ...unprotecting.errors].map((e) => e.message)).toEqual([expect.stringContaining('changed while we were editing it')]);
    // Whichever wrote last, our record is of the file as it now is, or there is none for a file left as the user had it.
    const state = loadState(fx.dataDir, path);
    if (state) expect(state.protectedHash).toBe(sha256(readFileSync(path)));
    else expect(readFileSync(path, 'utf8')).not.toContain('mcp-firewall');
  });
});
