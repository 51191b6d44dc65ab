import { describe, expect, it } from 'vitest';
import { openerFor, openInBrowser } from '../../../main/cli/open-browser.js';

describe('opening a URL in the browser', () => {
  it('hands the URL to the platform opener as one argument, never through a shell', () => {
    const url = 'https://as.example.test/authorize?a=1&b=%PATH%&c=^"x"';
    expect(openerFor('win32', url)).toEqual(['rundll32', ['url.dll,FileProtocolHandler', url]]);
    expect(openerFor('darwin', url)).toEqual(['open', [url]]);
    expect(openerFor('linux', url)).toEqual(['xdg-open', [url]]);
  });

  it('opens only http(s): a server-named file: or custom-scheme URL would start another program', () => {
    expect(() => openerFor('linux', 'file:///etc/passwd')).toThrow(/refusing to open a file: URL/);
    expect(() => openerFor('win32', 'ms-settings:privacy')).toThrow(/refusing to open a ms-settings: URL/);
  });

  it('fails when the opener fails (xdg-open without a display exits 3), and does not wait on one that keeps running', async () => {
    const url = 'https://example.test/';
    await expect(openInBrowser(url, ['sh', ['-c', 'exit 3']])).rejects.toThrow(/sh exited with code 3/);
    await expect(openInBrowser(url, ['true', []])).resolves.toBeUndefined();
    await expect(openInBrowser(url, ['sleep', ['5']], 200)).resolves.toBeUndefined();
    await expect(openInBrowser(url, ['no-such-opener-here', []])).rejects.toThrow(/ENOENT/);
  });
});
