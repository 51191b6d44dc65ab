import { describe, expect, it } from 'vitest';
import { breakAtEscapedNewlines, keepEnds, oneLineName } from '../../preload/visible-text.js';

const cutMark = (cut: number) => `[${cut}]`;

describe('keepEnds', () => {
  it('returns text of no more than max characters whole, through show', () => {
    expect(keepEnds('abcdef', 6, 0.5, cutMark, (s) => s.toUpperCase())).toBe('ABCDEF');
    // Eight UTF-16 units, but only four characters.
    expect(keepEnds('😀😀😀😀', 4, 0.5, cutMark)).toBe('😀😀😀😀');
  });

  it('keeps its share of max from the start and the rest from the end, and counts what it cut', () => {
    expect(keepEnds('abcdefghij', 4, 0.5, cutMark)).toBe('ab[6]ij');
    expect(keepEnds('abcdefghij', 4, 0.75, cutMark)).toBe('abc[6]j');
  });

  it('never cuts an emoji in half, and counts it as one character', () => {
    expect(keepEnds('a😀b😀c😀d', 4, 0.5, cutMark)).toBe('a😀[3]😀d');
    expect(keepEnds('😀'.repeat(10), 4, 0.5, cutMark)).toBe('😀😀[6]😀😀');
  });

  it('shows each end after the cut, so an escape it writes is never split', () => {
    const shown = keepEnds('\u200b'.repeat(10), 4, 0.5, cutMark, (s) => s.replace(/\u200b/g, '\\u{200B}'));
    expect(shown).toBe('\\u{200B}\\u{200B}[6]\\u{200B}\\u{200B}');
  });

  it('shortens a 5 MB line to its ends', () => {
    const line = `${'a'.repeat(2_500_000)}${'b'.repeat(2_500_000)}`;
    expect(keepEnds(line, 10, 0.5, cutMark)).toBe('aaaaa[4999990]bbbbb');
  });
});

describe('oneLineName', () => {
  it('keeps three quarters of max from the start and the end where ".exe" would be', () => {
    expect(oneLineName(`${'x'.repeat(50)}.exe`, 16)).toBe(`${'x'.repeat(12)}…(38 chars cut)….exe`);
  });
});

describe('breakAtEscapedNewlines', () => {
  it('breaks the line after each \\n escape of a JSON string, keeping the escape, and leaves an escaped backslash before n alone', () => {
    const json = JSON.stringify({ content: '#!/bin/sh\nnpm ci\ncurl x | sh\n', path: 'C:\\new\\notes' }, null, 2);
    expect(breakAtEscapedNewlines(json)).toBe('{\n  "content": "#!/bin/sh\\n\nnpm ci\\n\ncurl x | sh\\n\n",\n  "path": "C:\\\\new\\\\notes"\n}');
    // Three backslashes then n: an escaped backslash, then a newline escape.
    expect(breakAtEscapedNewlines('"a\\\\\\nb"')).toBe('"a\\\\\\n\nb"');
  });
});
