import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../../../main/firewall/engine.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Fake Date and performance.now only: setSystemTime moves the wall clock alone (as a user
// setting the clock does), advanceTimersByTime both (time passing).
describe('the engine pause, with the system clock set back', () => {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(() => {
    engines.splice(0).forEach((e) => e.close());
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
    vi.useRealTimers();
  });
  const open = (dir: string) => {
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000 });
    engines.push(engine);
    return engine;
  };
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-pause-'));
    dirs.push(dir);
    return dir;
  };

  it('is over 15 minutes after a 15-minute pause although the clock went back an hour', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const engine = open(freshDir());
    engine.pauseProtection(15, 'test');
    vi.setSystemTime(Date.now() - HOUR);
    vi.advanceTimersByTime(15 * MINUTE + 1);
    expect(engine.pausedUntil()).toBeNull();
    expect(engine.snapshot().pausedUntil).toBeNull();
  });

  it('after a restart, lasts no more than the 15 minutes it was granted for, on a clock set back an hour', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const dir = freshDir();
    const first = open(dir);
    first.pauseProtection(15, 'test');
    first.close();
    engines.splice(0);
    vi.setSystemTime(Date.now() - HOUR);
    const restarted = open(dir);
    expect(restarted.pausedUntil()).not.toBeNull();
    vi.advanceTimersByTime(15 * MINUTE + 1);
    expect(restarted.pausedUntil()).toBeNull();
  });
});
