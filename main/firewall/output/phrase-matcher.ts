// A phrase regex widened so that each gap between its words also takes escapes: on a raw JSON
// line a space in the decoded text may be written `\n` or `\t`, and in JSON a tool returns as
// its text (when the output stage leaves it undecoded, escaped-view.ts) it is written so too.
// Writing each `\s` as `(?:\s|\\[nrtbf])` made every gap a repeated group of one or two chars;
// V8 keeps a backtrack entry per repeat of such a group, so `ignore` + 12 MB of spaces (or 6 MB
// of `\n` escapes) threw "Maximum call stack size exceeded" in the raw-line probe and the
// result was withheld. Here the regex is cut at its `\s+` / `\s*` gaps; the pieces between are
// sticky regexes and each gap is looped in code, one run of spaces or of escapes per step.
//
// A gap is taken whole, never given back: in every phrase the piece after a gap starts with
// a letter or `:`, never a space or a backslash, so a shorter gap never let the rest match.
// A piece that ends where a `\s+` gap starts is told so by a lookahead, so its alternatives
// (`tell|telling`) are tried as the whole regex tried them. The matches are the same.

import { GAP_CHARS, GAP_PAIR, gapEnd } from './phrase-gap.js';

/** Where a match starting at `pos` ends, or -1. */
export type Matcher = (text: string, pos: number) => number;

// On a raw line an escape may itself be escaped: a tool returning JSON as its text writes a
// newline `\n`, the result line carries that as `\\n`, and the output stage decodes the text's
// `\n` before it scans (escaped-view.ts). Taking only `\n` here cleared `ignore\\nprevious
// instructions` on the raw line and the result left unscanned. (`\u0020` and `\\u0020` never
// get here: a raw line holding `\u` is always parsed.) In a parsed text only `\n` is a gap: the
// raw line writes a text's `\\n` as five chars, which no raw gap takes, and a gap the parsed
// text took but its raw line did not would let the line pass unparsed. A gap is walked by
// gapEnd (phrase-gap.ts): a one-space gap with no regex call, a longer one a regex per run of one
// kind, which V8 loops without a backtrack entry per repeat (with `(?:\\\\?[nrtbf])+` it kept one
// per escape, and 12 M `\n` threw).
const GAPS = {
  'raw-line': { end: (text: string, pos: number) => gapEnd(text, pos, true), at: String.raw`(?=[${GAP_CHARS}]|${GAP_PAIR}|\\\\?[nrtbf])` },
  text: { end: (text: string, pos: number) => gapEnd(text, pos, false), at: String.raw`(?=[${GAP_CHARS}]|${GAP_PAIR}|\\[nrtbf])` },
};
/** Where a phrase is looked for: a raw JSON line (escapes as sent) or a parsed text. */
export type Where = keyof typeof GAPS;

type Item = { gap: 0 | 1 } | { text: string } | { alts: Item[][]; optional: boolean };

/** The regex source as alternatives of pieces, gaps, and groups that hold a gap. */
function parse(src: string): Item[][] {
  let i = 0;
  const alts = (): Item[][] => {
    const out: Item[][] = [[]];
    while (i < src.length && src[i] !== ')') {
      const seq = out[out.length - 1]!;
      const from = i;
      if (src[i] === '|') {
        out.push([]);
        i++;
        continue;
      }
      if (src.startsWith(String.raw`\s`, i)) {
        const q = src[i + 2];
        if (q !== '+' && q !== '*') throw new Error(`phraseMatcher: a lone or bounded \\s in ${src}`);
        seq.push({ gap: q === '+' ? 1 : 0 });
        i += 3;
        continue;
      }
      if (src.startsWith('(?:', i)) {
        i += 3;
        const inner = alts();
        i++;
        const optional = src[i] === '?';
        if (optional) i++;
        if (src.slice(from, i).includes(String.raw`\s`)) {
          if (/[+*{]/.test(src[i] ?? '')) throw new Error(`phraseMatcher: a repeated gap in ${src}`);
          seq.push({ alts: inner, optional });
          continue;
        }
      } else if (src[i] === '[' || src[i] === '(') {
        throw new Error(`phraseMatcher: a class or capture in ${src}`);
      } else {
        i += src[i] === '\\' ? 2 : 1;
      }
      const last = seq[seq.length - 1];
      if (last && 'text' in last) last.text += src.slice(from, i);
      else seq.push({ text: src.slice(from, i) });
    }
    return out;
  };
  return alts();
}

const isGap = (item: Item | undefined) => item !== undefined && 'gap' in item && item.gap === 1;

type Gap = (typeof GAPS)[Where];

function compileSeq(items: Item[], k: Matcher, gapNext: boolean, flags: string, gap: Gap): Matcher {
  let next = k;
  for (let j = items.length - 1; j >= 0; j--) {
    next = compileItem(items[j]!, next, j + 1 < items.length ? isGap(items[j + 1]) : gapNext, flags, gap);
  }
  return next;
}

function compileItem(item: Item, k: Matcher, gapNext: boolean, flags: string, gap: Gap): Matcher {
  if ('gap' in item) {
    const min = item.gap;
    return (text, pos) => {
      const end = gap.end(text, pos);
      return min && end === pos ? -1 : k(text, end);
    };
  }
  if ('text' in item) {
    const re = new RegExp(item.text + (gapNext ? gap.at : ''), flags);
    return (text, pos) => {
      re.lastIndex = pos;
      return re.test(text) ? k(text, re.lastIndex) : -1;
    };
  }
  const { optional } = item;
  const alts = item.alts.map((seq) => compileSeq(seq, k, gapNext, flags, gap));
  // One alternative, as most phrases are at the top: a call less on every start tried.
  if (alts.length === 1 && !optional) return alts[0]!;
  return (text, pos) => {
    for (let i = 0; i < alts.length; i++) {
      const end = alts[i]!(text, pos);
      if (end >= 0) return end;
    }
    return optional ? k(text, pos) : -1;
  };
}

/** The pieces one of which a match must start with, or null when it may start otherwise. */
function firstPieces(seq: Item[]): string[] | null {
  const out: string[] = [];
  for (const item of seq) {
    if ('gap' in item) return null;
    if ('text' in item) return [...out, item.text];
    for (const alt of item.alts) {
      const first = firstPieces(alt);
      if (!first) return null;
      out.push(...first);
    }
    if (!item.optional) return out;
  }
  return null;
}

/** The words a match of `re` must start with, as a regex source; null when it may start otherwise. */
export function firstWords(re: RegExp): string | null {
  const pieces = parse(re.source).map(firstPieces);
  return pieces.some((p) => !p) ? null : `(?:${pieces.flat().join('|')})`;
}

/** `re` (sticky) with each `\s+` / `\s*` also taking invisible chars and the escapes that a gap `where` may be written with. */
export function phraseMatcher(re: RegExp, where: Where): Matcher {
  const done: Matcher = (_text, pos) => pos;
  const alts = parse(re.source);
  const match = compileItem({ alts, optional: false }, done, false, re.flags, GAPS[where]);
  // Most starts tried fail on the first word: one test for it keeps the probe as cheap as the
  // regex. A phrase that starts with one piece tests that piece first anyway.
  const words = firstWords(re);
  const onePiece = alts.length === 1 && alts[0]![0] !== undefined && 'text' in alts[0]![0];
  if (!words || onePiece) return match;
  const first = new RegExp(words, re.flags);
  return (text, pos) => {
    first.lastIndex = pos;
    return first.test(text) ? match(text, pos) : -1;
  };
}
