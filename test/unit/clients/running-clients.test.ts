import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { runningProcessNames } from '../../../main/firewall/clients/running-clients.js';
import { createFixtureHome, onlyCursorFile, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

describe('running clients', () => {
  it('warns to restart a running client whose file was rewritten, and only that one', async () => {
    fx = createFixtureHome();
    const running = () => new Set(['cursor', 'bash']);
    const report = await protectClients({ ...fx.deps, runningProcesses: running }, { client: 'cursor' });
    expect(report.warnings).toEqual([expect.stringMatching(/^Cursor is running \(cursor\) and may write its old config back/)]);
    const back = await unprotectClients({ ...fx.deps, runningProcesses: running }, { client: 'claude-desktop' });
    expect(back.warnings).toBeUndefined();
  });

  // A file linked into Windsurf is Windsurf's config too: protect --client cursor rewrote
  // it, and a running Windsurf, which could write its old copy back, went unmentioned.
  it('warns for every running client that reads a rewritten file linked into several', async () => {
    fx = createFixtureHome();
    const path = onlyCursorFile(fx, '{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}\n');
    const windsurf = join(fx.home, '.codeium/windsurf/mcp_config.json');
    mkdirSync(join(windsurf, '..'), { recursive: true });
    rmSync(windsurf, { force: true });
    symlinkSync(path, windsurf);
    const running = () => new Set(['cursor', 'windsurf']);
    const report = await protectClients({ ...fx.deps, runningProcesses: running }, { client: 'cursor' });
    expect(report.warnings).toEqual([expect.stringMatching(/^Cursor is running/), expect.stringMatching(/^Windsurf is running/)]);
    const back = await unprotectClients({ ...fx.deps, runningProcesses: () => new Set(['cursor']) }, { client: 'windsurf' });
    expect(back.warnings).toEqual([expect.stringMatching(/^Cursor is running/)]);
  });

  it('does not warn on a dry run', async () => {
    fx = createFixtureHome();
    const report = await protectClients({ ...fx.deps, runningProcesses: () => new Set(['cursor']) }, { client: 'cursor', dryRun: true });
    expect(report.warnings).toBeUndefined();
  });

  it('reads the real process list of this machine', () => {
    if (process.platform !== 'linux') return;
    expect(runningProcessNames('linux').has('node')).toBe(true);
  });
});
