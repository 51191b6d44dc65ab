// Chars that render as nothing, or as a blank that is no space: the one list the output stage
// (phrase gaps, the folded view, the invisible rule) and the manifest's phrase view read. A
// phrase written `ignore<X>previous<X>instructions` with any of them reads as its words to a
// model, and a list kept per stage let some through in one (U+FE0F was dropped by the
// manifest's view and read as a letter by the output stage; the blank fillers by neither).
// Zero-width and format chars: U+00AD soft hyphen, U+034F combining grapheme joiner, U+061C
// Arabic letter mark, U+180E, U+200B-200F, U+202A-202E, U+2060-2064, U+2066-2069, U+FEFF.
// Blanks with no space property: U+115F, U+1160, U+3164, U+FFA0 (Hangul fillers), U+17B4,
// U+17B5 (Khmer inherent vowels), U+2800 (braille blank). Variation selectors U+FE00-FE0F;
// those past the BMP (U+E0100-E01EF) and the tags (U+E0000-E007F) are surrogate pairs, matched
// where a pair is.

/** The invisible chars past Latin-1, as a regex class body: on a one-byte string V8 knows at once none can match. */
export const INVISIBLE_PAST_LATIN1 =
  '\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\u2800\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0';

/** Every invisible char of the BMP, as a regex class body. */
export const INVISIBLE = `\\u00ad${INVISIBLE_PAST_LATIN1}`;

/** Variation selectors past the BMP (U+E0100-E01EF), as a regex source: a surrogate pair each. */
export const SUPPLEMENT_VARIATION_SELECTOR = '\\udb40[\\udd00-\\uddef]';

/** The invisible chars that render as a blank, as a regex class body: a person reads `ignore\u2800previous` as two words. */
export const BLANK = '\\u115f\\u1160\\u17b4\\u17b5\\u2800\\u3164\\uffa0';

/** Whether the UTF-16 unit `c` is one of INVISIBLE, by code: walks over millions of chars must not run a regex per char. */
export function isInvisible(c: number): boolean {
  if (c < 0x2000) return c === 0xad || c === 0x34f || c === 0x61c || c === 0x115f || c === 0x1160 || c === 0x17b4 || c === 0x17b5 || c === 0x180e;
  return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) ||
    c === 0x2800 || c === 0x3164 || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff || c === 0xffa0;
}
