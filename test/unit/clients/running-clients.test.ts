import { afterEach, describe, expect, it } from 'vitest';
import { protectClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { runningProcessNames } from '../../../main/firewall/clients/running-clients.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

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
