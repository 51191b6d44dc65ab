import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { protectClients } from '../../../main/firewall/clients/index.js';
import { watchClientConfigs, type ConfigWatch } from '../../../main/firewall/clients/watch.js';
import type { ScanRow } from '../../../main/firewall/clients/scan.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
let watch: ConfigWatch | undefined;
afterEach(() => {
  watch?.stop();
  fx.cleanup();
});

/** A protected VS Code workspace entry whose env comes partly from `.env` in the workspace. */
async function protectedWithEnvFile(envText: string | null): Promise<string> {
  fx = createFixtureHome();
  const config = join(fx.project, '.vscode/mcp.json');
  const envFile = join(fx.project, '.env');
  writeFileSync(config, JSON.stringify({ servers: { playwright: { command: 'npx', args: ['@playwright/mcp@latest'], envFile: '${workspaceFolder}/.env' } } }, null, 2));
  if (envText === null) rmSync(envFile, { force: true });
  else writeFileSync(envFile, envText);
  const report = await protectClients(fx.deps, { client: 'vscode' });
  expect(report.entries.find((e) => e.name === 'playwright')!.outcome).toBe('protected');
  return envFile;
}

const startWatch = (found: ScanRow[]) =>
  watchClientConfigs(() => fx.deps, { onShadowEntry: (row) => found.push(row), autoProtect: () => false, protect: () => {} }, 3_600_000);

describe('watch sees an envFile change under a protected entry', () => {
  it('reports the entry once its envFile gains a NODE_OPTIONS that loads code, though its config did not change', async () => {
    const envFile = await protectedWithEnvFile('API_BASE=https://example.test\n');
    const found: ScanRow[] = [];
    watch = startWatch(found);
    expect(watch.check()).toEqual([]);
    writeFileSync(envFile, 'API_BASE=https://example.test\nNODE_OPTIONS=--require /tmp/evil.js\n');
    const fresh = watch.check();
    expect(fresh.map((row) => [row.client, row.name, row.status])).toEqual([['vscode', 'playwright', 'shadow']]);
    expect(fresh[0]!.note).toContain(`NODE_OPTIONS (--require) in ${envFile}`);
    expect(found).toEqual(fresh);
  });

  it('reports it when the envFile, missing at protect time, is created with one', async () => {
    const envFile = await protectedWithEnvFile(null);
    watch = startWatch([]);
    expect(watch.check()).toEqual([]);
    writeFileSync(envFile, 'LD_PRELOAD=/tmp/evil.so\n');
    expect(watch.check().map((row) => row.name)).toEqual(['playwright']);
  });
});
