import { describe, expect, it } from 'vitest';
import { mayExpandTo } from '../../../main/firewall/pins/template-match.js';
import { eightfoldGrowth, LINEAR_EIGHTFOLD } from '../../helpers/relative-time.js';

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

  it('matches the URI a server routes by: the WHATWG-normalised form the TypeScript SDK reads with new URL(uri)', () => {
    // Each is refused only as it reaches the server: the SDK routes `new URL(uri).toString()`.
    expect(mayExpandTo('notes://{id}', ' notes://7')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'notes://7\u0000 ')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'no\ttes://7')).toBe(true);
    expect(mayExpandTo('notes://{id}', 'notes:/\n/7')).toBe(true);
    expect(mayExpandTo('file:///home/me/notes/{name}', 'file:///home/me/x/../notes/secret.md')).toBe(true);
    expect(mayExpandTo('file:///home/me/notes/{name}', 'file:/home/me/notes/secret.md')).toBe(true);
    expect(mayExpandTo('https://api.example.com/users/{id}', 'https:api.example.com/users/7')).toBe(true);
    expect(mayExpandTo('https://api.example.com/users/{id}', 'https://api.example.com:443/users/7')).toBe(true);
    expect(mayExpandTo('https://api.example.com/users/{id}', 'https:\\\\api.example.com\\users\\7')).toBe(true);
    // Normalising reaches only what the server would read: elsewhere is still elsewhere.
    expect(mayExpandTo('https://api.example.com/users/{id}', 'https://api.example.com:8443/users/7')).toBe(false);
    expect(mayExpandTo('file:///home/me/notes/{name}', 'file:///home/me/x/../secret.md')).toBe(false);
  });

  it('takes linear time on a template the server made to backtrack', () => {
    // `n` expressions, or `n` non-empty literals between the ends against a URI holding one
    // fewer or just enough: a matcher that backtracks (a regular expression `^x://.*b.*b…c$`,
    // say) tries placement after placement, and one that looks for each literal from the
    // start again takes literals x URI length. Eight times the size takes 8-9 times as long now.
    const shapes = (n: number) => {
      const template = `x://${'{a}b'.repeat(n)}{a}c`;
      return [
        [`x://${'{a}'.repeat(n)}!`, `x://${'a'.repeat(50 * n)}`, false],
        [template, `x://${'a'.repeat(50 * n)}${'b'.repeat(n - 1)}c`, false],
        [template, `x://${'a'.repeat(50 * n)}${'b'.repeat(n)}c`, true],
      ] as const;
    };
    for (const [template, uri, may] of shapes(2000)) expect(mayExpandTo(template, uri)).toBe(may);
    const match = (cases: ReturnType<typeof shapes>) => cases.forEach(([template, uri]) => mayExpandTo(template, uri));
    // From a 200 KB URI up: from smaller ones, growing eightfold crosses some size at which V8
    // handles the strings differently, and measured 14-19 on this linear code.
    expect(eightfoldGrowth(match, shapes, 4000)).toBeLessThan(LINEAR_EIGHTFOLD);
  });
});
