import { describe, expect, it } from 'vitest';
import { openerFor } from '../../../main/cli/open-browser.js';

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
});
