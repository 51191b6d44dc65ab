import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Browser, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { startEverythingHttp, type RemoteServer } from '../helpers/remote-server.js';
import { serveDashboard, type ServedDashboard, launchChromium, signIn } from './serve-harness.js';

const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'mcpfw-shots-'));
const POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8');

describe('a remote server protected and approved from the Servers page', () => {
  let served: ServedDashboard;
  let remote: RemoteServer;
  let browser: Browser;
  let page: Page;
  let claudeCode: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    remote = await startEverythingHttp();
    served = await serveDashboard(POLICY);
    // Claude Code keeps remote servers in ~/.claude.json, next to its own state.
    claudeCode = join(served.userHome, '.claude.json');
    writeFileSync(claudeCode, `{\n  "numStartups": 3,\n  "mcpServers": {\n    "docs": { "type": "http", "url": ${JSON.stringify(remote.url)} }\n  }\n}\n`);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })).newPage();
    await signIn(page, served);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await remote?.stop();
  });

  it('routes the url entry through the firewall, pins its URL on Approve, and the call goes through', async () => {
    await page.goto(`http://127.0.0.1:${served.port}/#/servers`);
    const row = page.getByRole('row').filter({ hasText: 'docs' });
    await row.getByText('shadow').waitFor();
    await page.getByRole('button', { name: 'Protect Claude Code' }).click();
    await row.getByText('protected').waitFor();
    const routed = (JSON.parse(readFileSync(claudeCode, 'utf8')) as { numStartups: number; mcpServers: { docs: { url: string } } });
    expect(routed.numStartups).toBe(3);
    expect(routed.mcpServers.docs.url).toBe(served.route('docs'));

    // The URL protect routed waits under the name: Approve names exactly that one (its digest).
    await row.getByText(`url ${remote.url}`).waitFor();
    await row.getByRole('button', { name: 'Approve the waiting launch line of docs' }).click();
    await row.getByRole('button', { name: 'Disable docs' }).waitFor();
    const registry = JSON.parse(served.cli(['registry', 'list', '--json']).stdout) as Array<{ name: string; fingerprint: { command: string; args: string[] } | null }>;
    expect(registry.find((r) => r.name === 'docs')?.fingerprint).toEqual({ command: 'url', args: [remote.url] });
    await page.screenshot({ path: join(SHOTS, 'servers-remote.png') });

    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(routed.mcpServers.docs.url)));
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'through the routed entry' } });
      expect(JSON.stringify(result.content)).toContain('through the routed entry');
    } finally {
      await client.close();
    }
  });
});
