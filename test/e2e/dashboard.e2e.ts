import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/engine-harness.js';
import { EVERYTHING_SERVER, FILESYSTEM_SERVER, REPO_ROOT } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { serveDashboard, type ServedDashboard, launchChromium } from './serve-harness.js';

// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1 npm run test:e2e; other
// runs (CI, a developer's) write them to a temp dir so the tree stays clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'mcpfw-shots-'));
const POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(/approval_timeout_sec: \d+/, 'approval_timeout_sec: 60');

describe('the dashboard in Chromium against a real serve', () => {
  let served: ServedDashboard;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let files: ShimConnection;
  let workDir: string;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const open = async (hash: string) => {
    await page.goto(`http://127.0.0.1:${served.port}/#/${hash}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    served = await serveDashboard(POLICY);
    workDir = mkdtempSync(join(tmpdir(), 'mcpfw-e2e-files-'));
    expect(served.cli(['registry', 'approve', 'filesystem']).code).toBe(0);
    files = await connectThroughShim(served, 'filesystem', [FILESYSTEM_SERVER, workDir], { client: 'claude-code' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await files?.close();
    await browser?.close();
    await served?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('logs in with the URL `dashboard --print-url` prints, into an HttpOnly SameSite=Strict cookie', async () => {
    const printed = served.cli(['dashboard', '--print-url']);
    expect(printed.code).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${served.port}/\\?token=`));
    const stranger = await browser.newPage();
    const refused = await stranger.goto(`http://127.0.0.1:${served.port}/`);
    expect(refused?.status()).toBe(401);
    await stranger.close();

    await page.goto(url);
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    expect(page.url()).not.toContain('token=');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const headers = (await page.request.get(`http://127.0.0.1:${served.port}/`)).headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('approves a pending write_file with "Allow once" and the call completes', async () => {
    await open('approvals');
    await page.getByRole('heading', { name: 'Nothing is waiting for you' }).waitFor();
    const target = join(workDir, 'approved-in-browser.txt');
    const call = files.client.callTool({ name: 'write_file', arguments: { path: target, content: 'approved from the dashboard' } });
    const allow = page.getByRole('button', { name: 'Allow once', exact: true });
    await allow.waitFor();
    await expect(page.getByText(target).count()).resolves.toBeGreaterThan(0);
    expect(existsSync(target)).toBe(false);
    // The reason names its rule once, not twice.
    const why = await page.locator('p.reason').first().textContent();
    expect(why).toMatch(/^Why: rule 'require-approval-for-\w+' matched a \w+ action\s*$/);
    await shot('approvals');
    await allow.click();
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(readFileSync(target, 'utf8')).toBe('approved from the dashboard');
    await page.getByRole('heading', { name: 'Nothing is waiting for you' }).waitFor();
    const audit = JSON.parse(served.cli(['audit', 'query', "SELECT decision, reason FROM mcp_audit WHERE event = 'call' AND tool_name = 'write_file'", '--json']).stdout) as unknown[];
    expect(audit).toEqual([{ decision: 'ALLOW', reason: 'approved (once)' }]);
  });

  it('shows the approved call in Activity with its rule, live', async () => {
    await files.client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await open('activity');
    // The call row carries the rule that asked; the result row that follows carries the outcome.
    const row = page.getByRole('row').filter({ hasText: 'write_file' }).filter({ hasText: /require-approval-for-(write|destructive)/ }).first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/allow/);
    await row.click();
    await page.getByRole('complementary', { name: 'Call detail' }).getByText('approved (once)').waitFor();
    await shot('activity');
  });

  it('protects the Claude Desktop config from the Servers page', async () => {
    await open('servers');
    const row = page.getByRole('row').filter({ hasText: 'everything' });
    await row.getByText('shadow').waitFor();
    await shot('servers');
    await page.getByRole('button', { name: 'Protect Claude Desktop' }).click();
    await row.getByText('protected').waitFor();
    const config = JSON.parse(readFileSync(served.claudeConfig, 'utf8')) as { globalShortcut: string; mcpServers: { everything: { args: string[] } } };
    expect(config.globalShortcut).toBe('Ctrl+Space');
    expect(config.mcpServers.everything.args.slice(1, 4)).toEqual(['wrap', '--server', 'everything']);
    const registry = JSON.parse(served.cli(['registry', 'list', '--json']).stdout) as Array<{ name: string }>;
    expect(registry.map((r) => r.name)).toContain('everything');
    await shot('servers-protected');
  });

  it('shows a launch line refused as drift on the Servers page, and approves it beside the pinned one', async () => {
    // 'everything' was pinned by protect above; launched with another argument, it is drift.
    await expect(connectThroughShim(served, 'everything', [EVERYTHING_SERVER, 'stdio'])).rejects.toThrow(/registry drift/);
    await open('servers');
    await page.reload(); // the page is still the one the test before left: fetch the registry again
    const row = page.getByRole('row').filter({ hasText: 'everything' });
    await row.getByText('Waits for approval').waitFor();
    await row.getByRole('button', { name: 'Approve the waiting launch line of everything' }).click();
    await row.getByText('Waits for approval').waitFor({ state: 'detached' });
    const entry = (JSON.parse(served.cli(['registry', 'list', '--json']).stdout) as Array<{ name: string; moreLaunches: Array<{ command: string; args: string[] }> }>).find((r) => r.name === 'everything');
    expect(entry!.moreLaunches).toEqual([{ command: EVERYTHING_SERVER, args: ['stdio'] }]);
    const approved = await connectThroughShim(served, 'everything', [EVERYTHING_SERVER, 'stdio']);
    await approved.client.ping();
    await approved.close();
  });

  it('shows policy errors inline, refuses to save them, and saves a valid edit to the file', async () => {
    await open('policy');
    const editor = page.getByRole('textbox', { name: 'Policy YAML' });
    const original = await editor.inputValue();
    await editor.fill(original.replace('decision: REQUIRE_APPROVAL', 'decision: MAYBE'));
    await page.getByRole('button', { name: /^Line \d+, column \d+$/ }).first().waitFor();
    await expect(page.getByRole('button', { name: 'Save' }).isDisabled()).resolves.toBe(true);
    await shot('policy');
    const edited = original.replace('approval_timeout_sec: 60', 'approval_timeout_sec: 45');
    await editor.fill(edited);
    const save = page.getByRole('button', { name: 'Save' });
    await waitFor(async () => !(await save.isDisabled()), 'the edit to validate');
    await save.click();
    await page.getByText(/^Saved\./).waitFor();
    expect(readFileSync(join(served.dataDir, 'policy.yaml'), 'utf8')).toBe(edited);
  });

  it('runs audit SQL and shows the rows', async () => {
    await open('audit');
    await page.getByRole('button', { name: 'Recent decisions' }).click();
    await page.getByRole('cell', { name: 'write_file' }).first().waitFor();
    await shot('audit');
    await page.getByRole('textbox', { name: 'SQL query' }).fill('DELETE FROM mcp_audit');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('alert').waitFor();
    expect(JSON.parse(served.cli(['audit', 'query', 'SELECT COUNT(*) AS n FROM mcp_audit', '--json']).stdout)[0].n).toBeGreaterThan(0);
  });

  it('follows the dark colour scheme', async () => {
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    await dark.addCookies(await context.cookies());
    const darkPage = await dark.newPage();
    await darkPage.goto(`http://127.0.0.1:${served.port}/#/servers`);
    await darkPage.getByRole('heading', { name: 'Servers', level: 1 }).waitFor();
    await darkPage.getByRole('row').filter({ hasText: 'everything' }).waitFor();
    const background = await darkPage.locator('body').evaluate((body) => (body.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(body).backgroundColor);
    expect(background).toBe('rgb(15, 18, 23)');
    await darkPage.screenshot({ path: join(SHOTS, 'servers-dark.png') });
    await dark.close();
  });
});
