import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import type { ShimConnection } from '../helpers/shim-client.js';
import { startFilesystemDashboard, type FilesystemDashboard, type ServedDashboard } from './serve-harness.js';

const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'mcpfw-shots-'));
// A policy someone loosened: no rule asks before writes, so a write runs unapproved and
// the seed's first gate must page.
const NO_APPROVAL_POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8')
  .replace(/ {2}- id: require-approval-for-write\n[\s\S]*?(?= {2}- id: deny-scope-mismatch)/, '');

describe('gates and pause in the dashboard against a real serve', () => {
  let served: ServedDashboard;
  let page: Page;
  let files: ShimConnection;
  let workDir: string;
  let setup: FilesystemDashboard | undefined;

  beforeAll(async () => {
    expect(NO_APPROVAL_POLICY).not.toContain('REQUIRE_APPROVAL');
    mkdirSync(SHOTS, { recursive: true });
    setup = await startFilesystemDashboard(NO_APPROVAL_POLICY, { width: 1280, height: 900 });
    ({ served, files, workDir, page } = setup);
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('shows the five gates, and "Unapproved write calls" paging after a write nobody approved', async () => {
    await page.goto(`http://127.0.0.1:${served.port}/#/gates`);
    const card = page.getByRole('region', { name: 'Unapproved write calls' });
    await card.getByText('ok', { exact: true }).waitFor();
    await expect(page.locator('section.gate').count()).resolves.toBe(5);

    const result = await files.client.callTool({ name: 'write_file', arguments: { path: join(workDir, 'unasked.txt'), content: 'nobody asked' } });
    expect(result.isError).toBeFalsy();
    await card.getByText('paging', { exact: true }).waitFor();
    await expect(card.getByLabel('Unapproved write calls value').textContent()).resolves.toBe('1');
    await expect(card.getByText('Governance On-call').count()).resolves.toBe(1);
    await card.getByRole('img', { name: 'Unapproved write calls over the last two hours' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Unapproved write calls is paging Governance On-call' }).waitFor();
    await page.getByRole('link', { name: /Gates/ }).getByLabel('1 paging').waitFor();
    await page.screenshot({ path: join(SHOTS, 'gates.png') });
  });

  it('pauses protection from the sidebar and resumes it', async () => {
    const status = page.getByRole('status').filter({ hasText: /Protection on|Paused until/ });
    await expect(status.textContent()).resolves.toBe('Protection on');
    await page.getByRole('button', { name: 'Pause protection for 15 minutes' }).click();
    await page.getByRole('status').filter({ hasText: /^Paused until \d\d:\d\d$/ }).waitFor();
    const paused = JSON.parse(served.cli(['audit', 'query', "SELECT decision, actor_id FROM mcp_audit WHERE rule_id = 'protection-paused' ORDER BY id", '--json']).stdout) as unknown[];
    expect(paused).toEqual([{ decision: 'PAUSED', actor_id: 'dashboard' }]);
    await page.getByRole('button', { name: 'Resume protection' }).click();
    await page.getByRole('status').filter({ hasText: 'Protection on' }).waitFor();
    const after = JSON.parse(served.cli(['audit', 'query', "SELECT decision FROM mcp_audit WHERE rule_id = 'protection-paused' ORDER BY id", '--json']).stdout) as unknown[];
    expect(after).toEqual([{ decision: 'PAUSED' }, { decision: 'RESUMED' }]);
  });
});
