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

  it('takes linear time on a template the server made to backtrack', () => {
    const template = `x://${'{a}'.repeat(2000)}!`;
    const started = performance.now();
    expect(mayExpandTo(template, `x://${'a'.repeat(100_000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
