import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_SCHEME, createAppProtocolHandler, DASHBOARD_PAGE, rendererFileFor } from '../../../main/desktop/app-protocol.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const ROOT = '/app/dist/renderer';

describe('the dashboard protocol (mcp-firewall://dashboard/)', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('serves the page from its own scheme, which the packaged app needs with the file:// fuse off', () => {
    const fuses = (parse(readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses: Record<string, boolean> }).electronFuses;
    expect(fuses.grantFileProtocolExtraPrivileges).toBe(false);
    // Under that fuse a file:// page cannot load its own module script: the window must not show one.
    expect(new URL(DASHBOARD_PAGE).protocol).toBe(`${APP_SCHEME}:`);
    expect(rendererFileFor(ROOT, DASHBOARD_PAGE)).toBe(join(ROOT, 'index.html'));
    expect(rendererFileFor(ROOT, `${APP_SCHEME}://dashboard/assets/index-abc.js`)).toBe(join(ROOT, 'assets', 'index-abc.js'));
  });

  it('never names a file outside the renderer dir, however the path is spelled', () => {
    // Dot segments are resolved by URL parsing (Chromium's too) before the path is looked at: they stay inside.
    expect(rendererFileFor(ROOT, `${APP_SCHEME}://dashboard/../../etc/passwd`)).toBe(join(ROOT, 'etc', 'passwd'));
    expect(rendererFileFor(ROOT, `${APP_SCHEME}://dashboard/%2e%2e/%2e%2e/etc/passwd`)).toBe(join(ROOT, 'etc', 'passwd'));
    // Separators spelled as %2f or %5c reach the path only after decoding: refused.
    for (const url of [
      `${APP_SCHEME}://dashboard/..%2f..%2fetc%2fpasswd`,
      `${APP_SCHEME}://dashboard/..%5c..%5cwindows%5cwin.ini`,
      `${APP_SCHEME}://dashboard/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret`,
      `${APP_SCHEME}://dashboard/index.html%00.png`,
      `${APP_SCHEME}://dashboard/%E0%A4%A`,
      `${APP_SCHEME}://dashboard/`,
      `${APP_SCHEME}://elsewhere/index.html`,
      'file:///app/dist/renderer/index.html',
      'not a url',
    ]) expect(rendererFileFor(ROOT, url), url).toBeNull();
    // A renderer dir that is a prefix of another one's name does not reach that one.
    expect(rendererFileFor(ROOT, `${APP_SCHEME}://dashboard/..%2frenderer-old%2findex.html`)).toBeNull();
  });

  it('answers with the file through the injected fetch, and 404 for anything else', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-protocol-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'secret.txt'), 'not for the page');
    const fetched: string[] = [];
    const handler = createAppProtocolHandler(rendererDir, async (url) => {
      fetched.push(url);
      return new Response('ok');
    });
    expect((await handler({ url: DASHBOARD_PAGE })).status).toBe(200);
    expect(fetched).toEqual([pathToFileURL(join(rendererDir, 'index.html')).href]);
    const outside = await handler({ url: `${APP_SCHEME}://dashboard/..%2fsecret.txt` });
    expect(outside.status).toBe(404);
    expect(fetched).toHaveLength(1);
  });
});
