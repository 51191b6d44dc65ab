import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients } from '../../../main/firewall/clients/index.js';
import { watchClientConfigs, type ConfigWatch } from '../../../main/firewall/clients/watch.js';
import { createFixtureHome, onlyCursorFile, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
let watch: ConfigWatch | undefined;
afterEach(() => {
  watch?.stop();
  fx.cleanup();
});

// The watcher told a changed config by its size and modification time, both of which the
// writer chooses: an installer could put an unwrapped entry in place of a wrap line of the
// same length, set the time back (utimes, as `touch -r` does), and never be reported.
describe('watch', () => {
  it('sees a config rewritten to the same size with its modification time set back', async () => {
    fx = createFixtureHome();
    const path = onlyCursorFile(fx, '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}\n');
    await protectClients(fx.deps, { client: 'cursor' });
    // A time in whole seconds, which utimes from JS sets exactly (native utimensat sets any).
    const time = Math.floor(Date.now() / 1000) - 60;
    utimesSync(path, time, time);
    const found: string[] = [];
    watch = watchClientConfigs(() => fx.deps, { onShadowEntry: (row) => found.push(row.name), autoProtect: () => false, protect: () => {} }, 3_600_000);
    expect(watch.check()).toEqual([]);

    const wrapped = readFileSync(path, 'utf8');
    const before = statSync(path);
    const shadow = '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}';
    writeFileSync(path, shadow.padEnd(wrapped.length - 1, ' ') + '\n');
    expect(statSync(path).size).toBe(before.size);
    utimesSync(path, time, time);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(watch.check().map((row) => row.name)).toEqual(['gh']);
    expect(found).toEqual(['gh']);
  });
});
