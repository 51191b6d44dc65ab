// Text that is itself JSON (a tool returning `JSON.stringify(obj)` as its `text`) still
// holds its escapes after the message is parsed: `"a\nghp_…"` glues the `n` of `\n` to
// the token, PHP writes `/` as `\/` (`hooks.slack.com\/services\/…`), Python and Go
// write chars as `\u00e9` or `\u003c`. Rules judge boundaries and anchors on the text as
// it is, so such strings are scanned in a decoded copy, and the findings mapped back onto
// the original, which is redacted with its escapes intact.
import type { Finding } from './types.js';

// Escapes that can hide a finding: `\/` and `\uXXXX` change the chars themselves; `\n`-style
// ones only where a letter, digit, `+` or `(` follows (the `n` reads as part of a word).
// `\"` never hides anything (the quote is a boundary either way) and is left as it is.
const NEEDS_VIEW = /\\(?:[/u]|[nrtbf][A-Za-z0-9+(])/;
const SIMPLE: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/' };
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A decoded copy and where its chars came from: pairs (offset in the copy, offset in the original). */
export interface EscapedView {
  text: string;
  marks: number[];
}

/** The string with the escapes that could hide a finding decoded; null when it has none. */
export function decodeEscapes(text: string): EscapedView | null {
  if (!NEEDS_VIEW.test(text)) return null;
  const parts: string[] = [];
  const marks: number[] = [];
  let from = 0;
  let d = 0;
  // An indexOf walk: a third of the cost of a global regex's exec loop.
  for (let i = text.indexOf('\\'); i !== -1; ) {
    const c = text[i + 1] ?? '';
    let ch: string | undefined = SIMPLE[c];
    let len = 2;
    if (ch === undefined && c === 'u' && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)) && isHex(text.charCodeAt(i + 4)) && isHex(text.charCodeAt(i + 5))) {
      ch = String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      len = 6;
    }
    // `\\` (a backslash, not the start of the escape after it) and `\"` are kept as they are.
    if (ch === undefined) {
      i = text.indexOf('\\', i + 2);
      continue;
    }
    parts.push(text.slice(from, i), ch);
    d += i - from;
    marks.push(d, i);
    from = i + len;
    marks.push(++d, from);
    i = text.indexOf('\\', from);
  }
  if (marks.length === 0) return null;
  parts.push(text.slice(from));
  return { text: parts.join(''), marks };
}

/** Findings on a decoded copy, as spans of the original text (whole escapes included). */
export function mapFindings(findings: readonly Finding[], view: EscapedView): Finding[] {
  const { marks } = view;
  const orig = (pos: number): number => {
    // The last mark at or before `pos` (marks are few next to the text: a binary search).
    let lo = 0;
    let hi = marks.length / 2 - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[2 * mid]! <= pos) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return k === -1 ? pos : marks[2 * k + 1]! + (pos - marks[2 * k]!);
  };
  return findings.map((f) => ({ ...f, start: orig(f.start), end: orig(f.end) }));
}
