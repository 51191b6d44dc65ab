import { INVISIBLE, INVISIBLE_PAST_LATIN1, SUPPLEMENT_VARIATION_SELECTOR } from '../invisible-chars.js';
import { isAlnum, isDigit } from './checks.js';
import { PHONE_CONTEXT } from './pii-rules.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';

// When a text needs the folded scan of folded-view.ts. Every clean text and raw line pays for
// this look, and ordinary prose is full of the chars that fold: an en dash between years
// (`2019–2023`), a narrow no-break space between thousands (`1 234 567`), full-width digits in
// Japanese dates (`２０２４年`), soft hyphens in typeset words. Sending each of those on to the
// parse and a second scan cost a clean 10 KB result 4-8x. So a fold char only counts where
// folding it could complete something a rule looks for: a separator inside a digit run long
// enough to be a card, IBAN, SSN or phone; full-width forms in a run long enough to be a
// token, address or tag; an invisible char inside a token-like run.

/** Invisible chars a value can hide behind (invisible-chars.ts); tag chars, U+E0000-E007F, come as surrogate pairs. */
export { INVISIBLE } from '../invisible-chars.js';
export const TAGS = '\\udb40[\\udc00-\\udc7f]';
/** Unicode spaces and dashes that read as ` ` and `-` between digit groups. */
export const UNICODE_SEPARATORS = '\\u00a0\\u1680\\u2000-\\u200a\\u2010-\\u2015\\u2028\\u2029\\u202f\\u205f\\u2212\\u3000\\ufe58\\ufe63';
/** Full-width digits and letters (full-width punctuation alone, as in CJK prose, hides nothing). */
export const FULL_WIDTH_ALNUM = '\\uff10-\\uff19\\uff21-\\uff3a\\uff41-\\uff5a';

// Every clean text and raw line pays for the first look, so it is split by how V8 runs it. The
// chars past Latin-1 go in one class: on a Latin-1 string (most text) V8 knows at once that it
// cannot match. The two Latin-1 ones (U+00A0, U+00AD) are found with indexOf: in a class, V8's
// skip-ahead table folds U+00A0 onto the space and the test cost 2 ns/byte (a 14-35 % slower
// clean line when it rode on a probe), against ~0.05 for indexOf.
// Only the chars that fold: curly quotes, bullets and ellipses (U+2018-2026, common in prose)
// would send every such text on to the costlier look below. The class is matched coarse
// (U+1680-3000, U+FE58-FF5A) and each hit checked by a lookbehind: on CJK text, whose chars
// lie between the two ranges, that scan cost 5.8 µs per 10 KB against 7.7 for the exact class.
// The rarer invisible chars outside those ranges (U+034F, U+061C, U+115F, U+1160, U+3164,
// U+FE00-FE0F, U+FFA0) are single chars or short ranges beside them.
const PAST_LATIN1 = new RegExp(
  `[\\u034f\\u061c\\u115f\\u1160\\u1680-\\u3000\\u3164\\ufe00-\\ufe0f\\ufe58-\\uff5a\\uffa0\\udb40](?<=[\\u1680\\u2000-\\u2015\\u2028-\\u202f\\u205f\\u2212\\u3000\\ufe58\\ufe63${INVISIBLE_PAST_LATIN1}${FULL_WIDTH_ALNUM}\\udb40])`,
);
// Where a closer look starts: a separator between digits, a full-width letter or digit, an
// invisible char. A variation selector only next to a token char, before or after it: a stop
// on each emoji's U+FE0F cost a page of emoji ~15 % (an emoji's selector is followed by a
// space, a joiner or another emoji). Those past the BMP too: left unfolded, `ghp_R7mK` +
// U+E0100 + `2pQx…` was found as a zero-width cue alone, and the stage removed the char for
// the model, handing it the token whole. After a token char only was not enough: `4111 ` +
// U+E0100 + `1111 1111 1111` (the selector after the space) broke the card's run, and the
// stage sent the card out whole once it dropped the selector. After a space too (no emoji
// ends in one): between two spaces it made a double space of the card's group gap.
const CANDIDATE = new RegExp(
  `\\d[${UNICODE_SEPARATORS}]\\d|[${FULL_WIDTH_ALNUM}]|[${INVISIBLE.replace('\\ufe00-\\ufe0f', '')}]|` +
    `[\\ufe00-\\ufe0f](?:(?<=[\\s\\w\\-.@+/=%][\\ufe00-\\ufe0f])|(?=[\\w\\-.@+/=%]))|` +
    `${SUPPLEMENT_VARIATION_SELECTOR}(?:(?<=[\\s\\w\\-.@+/=%]${SUPPLEMENT_VARIATION_SELECTOR})|(?=[\\w\\-.@+/=%]))|${TAGS}`, 'g');

/** Whether folding `text` (a text, or a raw JSON line) could reveal a finding a plain scan misses. */
export function foldMayReveal(text: string): boolean {
  if (text.indexOf('\u00a0') === -1 && text.indexOf('\u00ad') === -1 && !PAST_LATIN1.test(text)) return false;
  CANDIDATE.lastIndex = 0;
  // test(), not exec(): no match array per candidate (prose holds one every few dozen chars).
  // Which kind matched, and where, is read off the char before lastIndex.
  while (CANDIDATE.test(text)) {
    const end = CANDIDATE.lastIndex;
    const c = text.charCodeAt(end - 1);
    const next = isDigit(c) ? digitRun(text, end - 1) : c >= 0xff10 ? fullWidthRun(text, end - 1) : invisibleRun(text, end - 1);
    if (next < 0) return true;
    CANDIDATE.lastIndex = Math.max(next, end);
  }
  return false;
}

// Char tests by code, not by regex: the runs are walked char by char (a regex test per char
// cost a 10 KB text with an en dash every 60 chars ~100 µs).
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const isFullWidthAlnum = (c: number) => (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
/** A Unicode space that groups digits (the spaces of UNICODE_SEPARATORS). */
const isSpaceLike = (c: number) => c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
/** One of UNICODE_SEPARATORS. */
const isSeparator = (c: number) =>
  isSpaceLike(c) || (c >= 0x2010 && c <= 0x2015) || c === 0x2028 || c === 0x2029 || c === 0x2212 || c === 0xfe58 || c === 0xfe63;

// The number rule reads digits grouped by ` ().-+/`: the folded separators join that run.
const inDigitRun = (c: number) => isDigit(c) || c === 0x20 || c === 0x28 || c === 0x29 || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x2f || isSeparator(c);

const phoneWords = { text: '', any: false };
forgetAfterEachScan(() => {
  phoneWords.text = '';
});

/**
 * A Unicode space or dash between digits. -1 when folding the digit run around it could make
 * a card, IBAN, SSN or phone number; else where the run ends. No number rule fires under 7
 * digits; 12 or more may be a card or an IBAN's digits; a run right after two capitals may be
 * an IBAN (`DE89 3704…`, `NL91 ABNA 0417…`). Between 7 and 11 digits, two or more separators
 * may group an SSN or a phone (`123–45–6789`, `+1 555–123–4567`); one (`2019–2023`) or
 * thousands grouped with one space char (`1 234 567`, `12 345 678`) are left alone.
 */
function digitRun(text: string, at: number): number {
  // Each kind walks its run in its own loop: one walker taking the test as a callback was
  // called with three and cost ~2x (V8 could not inline it).
  let s = at;
  while (s > 0 && inDigitRun(text.charCodeAt(s - 1))) s--;
  let e = at;
  while (e < text.length && inDigitRun(text.charCodeAt(e))) e++;
  let digits = 0;
  let groups = 0;
  let firstGroup = 0;
  let group = 0;
  let thousands = true;
  let separator = -1;
  let gap = -1;
  let gapLength = 0;
  for (let i = s; i <= e; i++) {
    const c = i < e ? text.charCodeAt(i) : -1;
    if (isDigit(c)) {
      // A gap between two groups closes: thousands are grouped by one and the same space char.
      if (group === 0 && groups > 0) {
        if (gapLength !== 1 || !isSpaceLike(gap) || (separator !== -1 && gap !== separator)) thousands = false;
        separator = gap;
      }
      group++;
      digits++;
      continue;
    }
    if (group > 0) {
      if (groups === 0) firstGroup = group;
      else if (group !== 3) thousands = false;
      groups++;
      group = 0;
      gap = c;
      gapLength = 0;
    }
    gapLength++;
  }
  if (digits < 7) return e;
  if (digits >= 12) return -1;
  // An international number (`+33 612345678`, `+1–555…`) is a phone with no phone word.
  let first = s;
  while (first < e && text.charCodeAt(first) === 0x20) first++;
  if (text.charCodeAt(first) === 0x2b || text.charCodeAt(first) === 0x28) return -1;
  if (s >= 2 && isUpper(text.charCodeAt(s - 1)) && isUpper(text.charCodeAt(s - 2))) return -1;
  if (groups >= 3 && !(thousands && firstGroup <= 3)) return -1;
  // One separator (`2019–2023`) or thousands (`612 345 678`): a phone only next to a phone
  // word, in the window the number rule reads (`tel: 555–1234`).
  // Most texts hold no phone word at all: asked once per text, not once per such run.
  if (phoneWords.text !== text) {
    phoneWords.text = text;
    memoKept();
    phoneWords.any = PHONE_CONTEXT.test(text);
  }
  if (!phoneWords.any) return e;
  return PHONE_CONTEXT.test(`${text.slice(Math.max(0, s - 60), s)} ${text.slice(e, e + 14)}`) ? -1 : e;
}

/**
 * A full-width letter or digit. -1 when it sits next to an ASCII letter or digit (`ghpＲ7mK…`),
 * or in a run of six or more full-width or ASCII chars, spaces and separators aside (a card in
 * full-width digits, `ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ`, `＜ＳＹＳＴＥＭ＞`); else where the run ends.
 * A date in CJK prose (`２０２４年３月`) holds runs of one to four.
 */
function fullWidthRun(text: string, at: number): number {
  // Not `"` nor `\`: in a raw JSON line they bound the text or escape a char of it.
  const inRun = (c: number) => (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) || (c >= 0xff01 && c <= 0xff5e) || isSeparator(c);
  let s = at;
  while (s > 0 && inRun(text.charCodeAt(s - 1))) s--;
  if (text.charCodeAt(s - 1) === 0x5c) s++; // the `n` of a `\n` in a raw JSON line is no text
  let e = at;
  while (e < text.length && inRun(text.charCodeAt(e))) e++;
  let solid = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || isSeparator(c)) continue;
    if (++solid >= 6) return -1;
    if (isFullWidthAlnum(c) && ((i > s && isAlnum(text.charCodeAt(i - 1))) || isAlnum(text.charCodeAt(i + 1)))) return -1;
  }
  return e;
}

// Chars a token, a key name or an address is made of: letters, digits and `_-.@+/=%`.
const isTokenChar = (c: number) =>
  isAlnum(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x40 || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x25;

/**
 * An invisible char: -1 (fold), wherever it stands, but for a zero-width joiner away from
 * letters and digits (between emoji), which is left alone. Next to a word only was not enough:
 * `ignore \u200b previous instructions` or `password \u00ad: …` (spaces around it) passed,
 * and the stage then dropped the char for the model. Soft hyphens fold too, at a price:
 * typeset prose carries one in most long words, and each such text is parsed and scanned
 * twice (a clean 10 KB of it 31 → ~180 µs); such pages come slowly anyway (a fetch takes
 * hundreds of ms), and other output rarely has them. The others are findings of their own,
 * so a text holding one is scanned whole anyway.
 */
function invisibleRun(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (!hasVisibleUse(c)) return -1;
  const prev = text.charCodeAt(at - 1);
  // A selector after a blank selects nothing (no emoji ends in one): between two spaces it
  // only widens a gap, and `4111 ` + U+FE0F + ` 1111 …` read as a card once it was dropped.
  if (c >= 0xfe00 && c <= 0xfe0f && (prev === 0x20 || prev === 0x09 || prev === 0x0a)) return -1;
  return isTokenChar(prev) || isTokenChar(text.charCodeAt(at + 1)) ? -1 : at + 1;
}

/**
 * The invisible chars ordinary text is full of, each where it belongs: a zero-width joiner or
 * a variation selector in an emoji (`❤️`, `👩‍💻`), a braille blank in braille, a Hangul filler
 * beside jamo. Like the joiner, they fold only next to a token char (the phrase rules read
 * them as gaps: phrase-gap.ts); else every text with an emoji would be parsed and scanned twice.
 */
function hasVisibleUse(c: number): boolean {
  return c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f) || c === 0x2800 || c === 0x3164 || c === 0xffa0 || c === 0x115f || c === 0x1160;
}
