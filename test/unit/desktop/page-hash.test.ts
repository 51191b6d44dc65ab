import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { openPageScript } from '../../../main/desktop/page-hash.js';

/**
 * A page as far as the script sees it: setting `location.hash` to a new value fires one
 * `hashchange` (as a browser does), setting it to the value it has fires none.
 */
function fakePage(hash: string) {
  const fired: string[] = [];
  const location = {
    get hash() {
      return hash;
    },
    set hash(value: string) {
      if (value === hash) return;
      hash = value;
      fired.push('browser');
    },
  };
  class HashChangeEvent {
    constructor(readonly type: string) {}
  }
  const window = { dispatchEvent: (event: HashChangeEvent) => void fired.push(`script:${event.type}`) };
  return { run: (script: string) => runInNewContext(script, { location, window, HashChangeEvent }), fired, hash: () => hash };
}

describe('opening the dashboard at a page from the desktop', () => {
  it('tells the page once when "Show all arguments…" names the approval it already stands at', () => {
    const page = fakePage('#/approvals/apr_abc');
    page.run(openPageScript('approvals/apr_abc'));
    expect(page.fired).toEqual(['script:hashchange']);
    expect(page.hash()).toBe('#/approvals/apr_abc');
  });

  it('leaves the event to the browser when the hash changes, so the page hears it once', () => {
    const page = fakePage('#/activity');
    page.run(openPageScript('approvals/apr_abc'));
    expect(page.fired).toEqual(['browser']);
    expect(page.hash()).toBe('#/approvals/apr_abc');
  });

  it('sets a page name with quotes in it as text, never as script', () => {
    const page = fakePage('#/activity');
    page.run(openPageScript(`approvals/x"); window.dispatchEvent(new HashChangeEvent('evil')); ("`));
    expect(page.fired).toEqual(['browser']);
    expect(page.hash()).toBe(`#/approvals/x"); window.dispatchEvent(new HashChangeEvent('evil')); ("`);
  });
});
