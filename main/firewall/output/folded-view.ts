// Characters that change nothing a model or a person reads but break a detector's match:
// zero-width and other invisible format characters inside a token (`ghp_ab\u200bcd…`),
// no-break, thin or ideographic spaces and Unicode dashes between a card's or an IBAN's digit
// groups, full-width forms (`４１１１`, `ｇｈｐ＿…`). A server that wants a secret past the
// firewall, or a model a server has steered into writing one into a call's arguments, needs
// only one of them. A text holding one where it could complete a value (fold-triggers.ts) is
// scanned a second time in a folded copy (invisible chars dropped, spaces to ` `, dashes to
// `-`, full-width to ASCII), and what is found there is mapped back onto the original, like
// the decoded copy of escaped-view.ts.
import { type EscapedView, mapFindings } from './escaped-view.js';
import { SUPPLEMENT_VARIATION_SELECTOR } from '../invisible-chars.js';
import { foldMayReveal, INVISIBLE, TAGS, UNICODE_SEPARATORS } from './fold-triggers.js';
import type { Finding } from './types.js';

// Variation selectors past the BMP are dropped as U+FE00-FE0F are (a surrogate pair each).
const FOLDED = new RegExp(`[${INVISIBLE}${UNICODE_SEPARATORS}\\uff01-\\uff5e]|${TAGS}|${SUPPLEMENT_VARIATION_SELECTOR}`, 'g');
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
