import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, waitFor } from '../helpers/engine-harness.js';
import { REPO_ROOT } from '../helpers/paths.js';
import type { ShimConnection } from '../helpers/shim-client.js';
import { startFilesystemDashboard, type FilesystemDashboard, type ServedDashboard } from './serve-harness.js';

// A chain of two calls without a pause crosses the chain-depth guard, which asks.
const POLICY = `${readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8')}
guards:
  max_chain_depth: 1
  quiet_gap_sec: 3600
  on_exceed: REQUIRE_APPROVAL
`;

interface Pending { id: string; tool: string }

describe('a call the chain-depth guard holds', () => {
  let served: ServedDashboard;
  let page: Page;
  let files: ShimConnection;
  let setup: FilesystemDashboard | undefined;

  beforeAll(async () => {
    setup = await startFilesystemDashboard(POLICY, { width: 1280, height: 800 });
    ({ served, files, page } = setup);
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it('is offered only Allow once, on the page and in the CLI, and refused anything wider', async () => {
    await files.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    const call = settled(files.client.callTool({ name: 'list_allowed_directories', arguments: {} }));
    const { id } = await waitFor(() => (JSON.parse(served.cli(['approvals', 'list', '--json']).stdout) as Pending[])[0], 'the guard asking');

    const wide = served.cli(['approvals', 'allow', id, '--scope', 'always']);
    expect(wide.code).not.toBe(0);
    expect(wide.stderr).toMatch(/only "once" can be given/);
    expect(served.cli(['approvals', 'show', id]).stdout).toMatch(/Only --scope once: a guard holds this call .*chain depth 2/);

    await page.goto(`http://127.0.0.1:${served.port}/#/approvals`);
    const card = page.locator('article.approval');
    await card.getByRole('button', { name: 'Deny' }).waitFor();
    await expect(card.getByRole('note').textContent()).resolves.toMatch(/Only Allow once:.*chain depth 2/);
    expect(await card.getByRole('button').allTextContents()).toEqual(['Allow once', 'Deny']);
    await card.getByRole('button', { name: 'Allow once' }).click();
    expect(await call).not.toBeInstanceOf(Error);
    await page.getByRole('heading', { name: 'Nothing is waiting for you' }).waitFor();
  });
});
