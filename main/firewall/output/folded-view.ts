// Characters that change nothing a model or a person reads but break a detector's match:
// zero-width and other invisible format characters inside a token (`ghp_ab\u200bcd…`),
// no-break, thin or ideographic spaces and Unicode dashes between a card's or an IBAN's digit
// groups, full-width forms (`４１１１`, `ｇｈｐ＿…`). A server that wants a secret past the
// firewall, or a model a server has steered into writing one into a call's arguments, needs
// only one of them. A text holding any is scanned a second time in a folded copy (invisible
// chars dropped, spaces to ` `, dashes to `-`, full-width to ASCII), and what is found there
// is mapped back onto the original, like the decoded copy of escaped-view.ts.
import { type EscapedView, mapFindings } from './escaped-view.js';
import type { Finding } from './types.js';

const INVISIBLE = '\\u00ad\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const TAGS = '\\udb40[\\udc00-\\udc7f]';
/** Unicode spaces and dashes that read as ` ` and `-` between digit groups. */
const UNICODE_SEPARATORS = '\\u00a0\\u1680\\u2000-\\u200a\\u2010-\\u2015\\u2028\\u2029\\u202f\\u205f\\u2212\\u3000\\ufe58\\ufe63';
/** Full-width digits and letters (full-width punctuation alone, as in CJK prose, hides nothing). */
const FULL_WIDTH_ALNUM = '\\uff10-\\uff19\\uff21-\\uff3a\\uff41-\\uff5a';

// Spaces and dashes only matter between digits (a space never joins a token back together);
// no-break spaces in prose, and full-width punctuation in CJK text, are left alone.
const NEEDS_FOLD = new RegExp(`[${INVISIBLE}${FULL_WIDTH_ALNUM}]|${TAGS}|\\d[${UNICODE_SEPARATORS}]\\d`);
// Every clean text and raw line pays for the first look, so it is split by how V8 runs it. The
// chars past Latin-1 go in one class: on a Latin-1 string (most text) V8 knows at once that it
// cannot match. The two Latin-1 ones (U+00A0, U+00AD) are found with indexOf: in a class, V8's
// skip-ahead table folds U+00A0 onto the space and the test cost 2 ns/byte (a 14-35 % slower
// clean line when it rode on a probe), against ~0.05 for indexOf.
// Only the chars that fold: curly quotes, bullets and ellipses (U+2018-2026, common in prose)
// would send every such text on to the costlier precise test (~1.2 ns/byte).
const PAST_LATIN1 = new RegExp(
  `[\\u1680\\u180e\\u2000-\\u2015\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u2069\\u2212\\u3000\\ufe58\\ufe63\\ufeff${FULL_WIDTH_ALNUM}\\udb40]`,
);

/** Whether folding `text` (a text, or a raw JSON line) could reveal a finding a plain scan misses. */
export function foldMayReveal(text: string): boolean {
  if (text.indexOf('\u00a0') === -1 && text.indexOf('\u00ad') === -1 && !PAST_LATIN1.test(text)) return false;
  return NEEDS_FOLD.test(text);
}

const FOLDED = new RegExp(`[${INVISIBLE}${UNICODE_SEPARATORS}\\uff01-\\uff5e]|${TAGS}`, 'g');
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63]/;
const SPACES = new RegExp(`[${UNICODE_SEPARATORS}]`);

/** The folded copy of `text` and where its chars came from; null when folding would reveal nothing. */
export function foldedView(text: string): EscapedView | null {
  if (!foldMayReveal(text)) return null;
  const parts: string[] = [];
  const marks: number[] = [];
  let from = 0;
  let d = 0;
  FOLDED.lastIndex = 0;
  for (let m; (m = FOLDED.exec(text)) !== null; ) {
    const ch = m[0];
    const c = ch.charCodeAt(0);
    const to = c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : DASHES.test(ch) ? '-' : SPACES.test(ch) ? ' ' : '';
    parts.push(text.slice(from, m.index), to);
    d += m.index - from + to.length;
    from = m.index + ch.length;
    // Only a dropped char moves offsets: the copy's `d` is the original's `from` from here on.
    if (to === '') marks.push(d, from);
  }
  parts.push(text.slice(from));
  return { text: parts.join(''), marks };
}

/**
 * Findings on a folded copy as spans of the original. An end is mapped from the last char it
 * covers, so chars dropped right after a finding stay outside it (they are the invisible
 * rule's own finding, removed, not fenced into an instruction).
 */
export function mapFolded(findings: readonly Finding[], view: EscapedView): Finding[] {
  return mapFindings(findings.map((f) => ({ ...f, end: f.end - 1 })), view).map((f) => ({ ...f, end: f.end + 1 }));
}
