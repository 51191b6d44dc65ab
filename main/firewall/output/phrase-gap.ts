// What stands between two words of an injection phrase. A model reads `you  must`, `you\nmust`,
// `you\u00a0must`, `you\u3000must` and, in JSON a tool returns as its text, `you\\nmust` all as
// `you must`; a phrase written any of these ways is the same instruction. The anchors were
// literal `you must`, `the user`: one doubled space hid the phrase from the output stage.
// Invisible chars count as spaces here: `ignore\u200bprevious` reads as two words to a model,
// but the folded view (folded-view.ts) drops the char and reads `ignoreprevious`, and the stage
// then removed the char and passed `ignorepreviousinstructions` on unfenced.
import { INVISIBLE, INVISIBLE_PAST_LATIN1 as PAST_LATIN1_CLASS, isInvisible, SUPPLEMENT_VARIATION_SELECTOR } from '../invisible-chars.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';

/** A regex class body of the chars a gap is made of, escapes aside: `\s` and the invisible ones of the BMP. */
export const GAP_CHARS = String.raw`\s` + INVISIBLE;

/**
 * A variation selector past the BMP (U+E0100-E01EF) is as invisible as U+FE00-FE0F and a gap
 * like them, but it is a surrogate pair: no class holds it, so each walk below takes the two
 * halves together (`ignore\u{E0100}previous instructions` read as one word, unfenced).
 */
export const GAP_PAIR = SUPPLEMENT_VARIATION_SELECTOR;
const HIGH = 0xdb40;
const isPairLow = (c: number) => c >= 0xdd00 && c <= 0xddef;
/** Whether a selector pair starts at `i`. */
const pairAt = (text: string, i: number) => text.charCodeAt(i) === HIGH && isPairLow(text.charCodeAt(i + 1));
/** Whether a selector pair ends right before `i`. */
const pairBefore = (text: string, i: number) => isPairLow(text.charCodeAt(i - 1)) && text.charCodeAt(i - 2) === HIGH;

/**
 * How a space in a lane anchor is matched. `source` is a run of spaces (`\s` holds the Unicode
 * ones: U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF), invisible
 * chars and the backslashes and letters of `\n`-style escapes, as a raw JSON line or
 * JSON-as-text writes them. Loose on purpose (`you \nnn must` passes too): a hit only hands the phrase to its rule, which
 * checks each gap exactly. A class, not `(?:\s|\\[nrtbf])+`: V8 keeps a backtrack entry per
 * repeat of a group, and 12 MB of `\n` escapes overflowed its stack; a class loop keeps none.
 * `collapse` writes each exact gap of a hit as one space, to look the hit up by its anchor.
 */
export const ANCHOR_GAP = {
  // The selector pair's halves as two code units in the class: loose, as the rest is.
  source: String.raw`[${GAP_CHARS}\\\udb40][${GAP_CHARS}\\nrtbf\udb40\udd00-\uddef]*`,
  collapse(hit: string): string {
    let out = '';
    let from = 0;
    for (let i = 0; i < hit.length; ) {
      const end = gapEnd(hit, i, true);
      if (end === i) {
        i++;
        continue;
      }
      out += `${hit.slice(from, i)} `;
      from = i = end;
    }
    return out + hit.slice(from);
  },
};

const BACKSLASH = 0x5c;

const seen = { text: '', plain: true };
forgetAfterEachScan(() => {
  seen.text = '';
});
// The invisible chars past Latin-1: on a one-byte string V8 knows at once that none can match.
// U+00AD is found with indexOf (fold-triggers.ts says why).
// A high surrogate U+DB40 (a selector pair or a tag) is asked for too.
const INVISIBLE_PAST_LATIN1 = new RegExp(`[${PAST_LATIN1_CLASS}\\udb40]`);

/**
 * Whether every gap in `text` is plain spaces, so that its phrases can be checked with their
 * plain regexes, ~6x cheaper per anchor than the gap-aware matchers (65 against 400 ns): no
 * backslash (no escape) and no invisible char. Asked once per text, however many anchors it holds.
 */
export function plainGaps(text: string): boolean {
  if (seen.text !== text) {
    seen.text = text;
    seen.plain = text.indexOf('\\') === -1 && text.indexOf('\u00ad') === -1 && !INVISIBLE_PAST_LATIN1.test(text);
    memoKept();
  }
  return seen.plain;
}

/** The chars `\s` matches and the invisible ones, by code: a walk over millions of them must not run a regex per char. */
function isGapChar(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || (c >= 0x2028 && c <= 0x2029) || c === 0x202f || c === 0x205f ||
    c === 0x3000 || isInvisible(c);
}

/**
 * `n` `r` `t` `b` `f`, either case: the letters of the escapes that write a space-like char. The
 * phrases match without case, and `\N` counted as an escape when the gap was a regex with `i`.
 */
function isEscapeLetter(c: number): boolean {
  const l = c | 0x20;
  return l === 0x6e || l === 0x72 || l === 0x74 || l === 0x62 || l === 0x66;
}

// A run of one kind is skipped by the regex engine: a char loop took ~3 ns a char, 4x the
// engine, on MBs of spaces. Each regex repeats a body of one length, which V8 loops without a
// backtrack entry per repeat (`(?:\\\\?[nrtbf])+` kept one, and 12 M `\n` threw).
const SPACE_RUN = new RegExp(`[${GAP_CHARS}]+`, 'y');
const ESCAPE_RUN = /(?:\\[nrtbf])+/iy;
const ESCAPED_ESCAPE_RUN = /(?:\\\\[nrtbf])+/iy;
const PAIR_RUN = new RegExp(`(?:${GAP_PAIR})+`, 'y');

/**
 * Where the run of spaces, invisible chars and `\n`-style escapes from `pos` ends (`pos` when
 * there is none). On a raw line (`escaped`) an escape may be escaped itself: `\\n`, a JSON
 * text's `\n` on its line.
 */
export function gapEnd(text: string, pos: number, escaped: boolean): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    let run: RegExp;
    if (isGapChar(c)) {
      // Most gaps are one space: no regex call for them.
      if (!isGapChar(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      run = SPACE_RUN;
    } else if (c === HIGH && isPairLow(text.charCodeAt(i + 1))) run = PAIR_RUN;
    else if (c !== BACKSLASH) return i;
    else if (isEscapeLetter(text.charCodeAt(i + 1))) run = ESCAPE_RUN;
    else if (escaped && text.charCodeAt(i + 1) === BACKSLASH && isEscapeLetter(text.charCodeAt(i + 2))) run = ESCAPED_ESCAPE_RUN;
    else return i;
    run.lastIndex = i;
    run.test(text);
    i = run.lastIndex;
  }
}

/** Where the run of spaces and escapes that ends at `end` starts (`end` when there is none); loose about `\\n`, as a look-back may be. */
function gapStart(text: string, end: number): number {
  let i = end;
  for (;;) {
    const c = text.charCodeAt(i - 1);
    if (isGapChar(c)) i--;
    else if (pairBefore(text, i)) i -= 2;
    else if (isEscapeLetter(c) && text.charCodeAt(i - 2) === BACKSLASH) i -= text.charCodeAt(i - 3) === BACKSLASH ? 3 : 2;
    else return i;
  }
}

/** Whether `text[from, to)` holds a gap wider than one ` `: two spaces, another space or an invisible char, an escape. */
function hasWideGap(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f && c !== BACKSLASH) continue;
    if (c === 0x20 ? text.charCodeAt(i + 1) === 0x20 : c === BACKSLASH || isGapChar(c) || pairAt(text, i)) return true;
  }
  return false;
}

/**
 * Where a look-back of `budget` chars before `at` starts, each run of spaces or escapes counting
 * as one char, so the first word of a phrase is in reach however wide its gaps. A walk by chars
 * (`at - 40`) missed `do  not   tell    the user` once the gaps were wide enough.
 */
export function windowStart(text: string, at: number, budget: number): number {
  // Most windows hold no gap wider than one space and reach `budget` chars back. A plain loop
  // over them says so and spares the walk below, whose calls per char doubled the cost of a raw
  // line's check of one `the user` (a slice and a regex test cost about what the loop does).
  const from = Math.max(0, at - budget);
  if (!hasWideGap(text, from, at)) return from;
  let i = at;
  for (; budget > 0 && i > 0; budget--) {
    const c = text.charCodeAt(i - 1);
    i = isGapChar(c) || pairBefore(text, i) || (isEscapeLetter(c) && text.charCodeAt(i - 2) === BACKSLASH) ? gapStart(text, i) : i - 1;
  }
  return i;
}
