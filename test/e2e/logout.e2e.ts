import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { serveDashboard, type ServedDashboard, launchChromium, signIn } from './serve-harness.js';

// Two browsers logged in to one engine: logging out ends only the one that asked, and
// `dashboard logout-all` ends the other, whose cookie might have been copied.

describe('logging out of the dashboard', () => {
  let served: ServedDashboard;
  let browser: Browser;
  const logInNew = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, served);
    return { context, page };
  };

  beforeAll(async () => {
    served = await serveDashboard(readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('"Log out" ends this browser\'s session and shows it logged out; another browser stays in until logout-all', async () => {
    const mine = await logInNew();
    const other = await logInNew();

    await mine.page.getByRole('button', { name: 'Log out of the dashboard', exact: true }).click();
    await mine.page.getByRole('heading', { name: 'Logged out', level: 1 }).waitFor();
    expect(await mine.context.cookies()).toEqual([]);
    const reopened = await mine.page.goto(`http://127.0.0.1:${served.port}/`);
    expect(reopened?.status()).toBe(401);
    await mine.page.getByText('This browser is not logged in to the running engine.').waitFor();

    await other.page.reload();
    await other.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const ended = served.cli(['dashboard', 'logout-all']);
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toMatch(/^Ended 1 dashboard session\./);
    expect((await other.page.reload())?.status()).toBe(401);
  });
});
