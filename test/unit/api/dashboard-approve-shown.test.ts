import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardService, type DashboardService } from '../../../main/firewall/api/dashboard-service.js';
import { httpStatusOf } from '../../../main/firewall/api/http-status.js';
import { createEngine, type Engine } from '../../../main/firewall/engine.js';
import { REPO_ROOT } from '../../helpers/paths.js';

// The dashboard's Approve names the waiting launch line it showed (by its digest): another
// line refused under the name since must not be approved by that click.

describe('the dashboard approving a waiting launch line', () => {
  let dir: string;
  let engine: Engine;
  let service: DashboardService;
  const L1 = { command: 'npx', args: ['notes', '/home/me'] };
  const L2 = { command: 'npx', args: ['notes', '/'] };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-dash-approve-'));
    engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    service = createDashboardService(engine, { env: {}, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: 'cli.js', knownCliPaths: [] });
    engine.registry.approveLaunch('notes', { command: 'npx', args: ['notes'] }, { beside: true });
  });
  afterEach(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const shown = async () => (await service.registry()).find((r) => r.name === 'notes')!;

  it('answers 409 when the line waiting is no longer the one shown, and approves the one shown', async () => {
    engine.registry.admit('notes', L1, 'cursor');
    const seen = await shown();
    expect(seen.pending).toBe('npx notes /home/me');
    expect(seen.pendingDigest).toMatch(/^[0-9a-f]{12}$/);
    engine.registry.admit('notes', L2, 'cursor');
    const error = await service.approveServer({ name: 'notes', launch: seen.pendingDigest! }).then(() => null, (e: unknown) => e);
    expect(httpStatusOf(error)).toBe(409);
    expect((error as Error).message).toContain('"npx notes /"');
    expect(engine.registry.admit('notes', L2, 'cursor').admitted).toBe(false);

    engine.registry.admit('notes', L1, 'cursor');
    await service.approveServer({ name: 'notes', launch: (await shown()).pendingDigest! });
    expect(engine.registry.admit('notes', L1, 'cursor').admitted).toBe(true);
    expect(engine.registry.admit('notes', L2, 'cursor').admitted).toBe(false);
  });

  it('an Approve shown with no line waiting refuses once one waits (null), rather than pin it unseen', async () => {
    engine.registry.admit('fresh', L2, 'cursor');
    const error = await service.approveServer({ name: 'fresh', launch: null }).then(() => null, (e: unknown) => e);
    expect(httpStatusOf(error)).toBe(409);
    expect(engine.registry.get('fresh')).toBeNull();
  });
});
