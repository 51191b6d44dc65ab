import { describe, expect, it } from 'vitest';
import { mayExpandTo } from '../../../main/firewall/pins/template-match.js';

describe('which URIs a held resource template may serve', () => {
  it('matches expansions of its expressions, and nothing outside its literals', () => {
    expect(mayExpandTo('notes://{id}', 'notes://7')).toBe(true);
    expect(mayExpandTo('notes://{id}/body', 'notes://7/body')).toBe(true);
    expect(mayExpandTo('notes://{id}/body', 'notes://7/title')).toBe(false);
    expect(mayExpandTo('notes://{id}', 'tickets://7')).toBe(false);
    expect(mayExpandTo('file:///docs/readme.md', 'file:///docs/readme.md')).toBe(true);
    expect(mayExpandTo('file:///docs/readme.md', 'file:///docs/readme.mdx')).toBe(false);
    expect(mayExpandTo('search://{?q,lang}', 'search://?q=x&lang=en')).toBe(true);
  });

  it('errs towards a match where servers differ: slashes in a variable, case, percent-encoded literals, an unclosed brace', () => {
    expect(mayExpandTo('notes://{id}', 'notes://a/b')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'NOTES://7')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'note%73://7')).toBe(true);
    expect(mayExpandTo('notes://{id', 'notes://7')).toBe(true);
  });

  it('matches the decoded form with a malformed escape beside valid ones, as a server that decodes what it can', () => {
    // decodeURIComponent gives up on the whole URI for `%ZZ`; the `%3A%2F%2F` around it still decode.
    expect(mayExpandTo('notes://{id}', 'notes%3A%2F%2F1%ZZ')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'notes%3a%2f%2f1%')).toBe(true);
    expect(mayExpandTo('notes://{id}', '%4EOTES://7')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'tickets%3A%2F%2F1%ZZ')).toBe(false);
  });

  it('takes linear time on a template the server made to backtrack', () => {
    const started = performance.now();
    // Only expressions: nothing to place between the ends.
    expect(mayExpandTo(`x://${'{a}'.repeat(2000)}!`, `x://${'a'.repeat(100_000)}`)).toBe(false);
    // 2,000 non-empty literals between the ends, one more than the URI holds: a matcher that
    // backtracks (a regular expression `^x://.*b.*b…c$`, say) tries placement after placement.
    const template = `x://${'{a}b'.repeat(2000)}{a}c`;
    expect(mayExpandTo(template, `x://${'a'.repeat(100_000)}${'b'.repeat(1999)}c`)).toBe(false);
    expect(mayExpandTo(template, `x://${'a'.repeat(100_000)}${'b'.repeat(2000)}c`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
