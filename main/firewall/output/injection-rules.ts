// Text in a tool result that talks to the model instead of the user: instructions,
// characters the user cannot see, and terminal escapes that can hide or rewrite text.
import { INVISIBLE, INVISIBLE_PAST_LATIN1, isInvisible, SUPPLEMENT_VARIATION_SELECTOR } from '../invisible-chars.js';
import { firstWords, phraseMatcher, type Matcher, type Where } from './phrase-matcher.js';
import { plainGaps, windowStart } from './phrase-gap.js';
import type { Finding, Rule, Severity } from './types.js';

const cue = (type: string, start: number, end: number, severity: Severity): Finding =>
  ({ type, family: 'injection', severity, start, end });

// Each phrase is checked around its anchor word; the anchor keeps the cost to one scan.
// A space in an anchor stands for any run of spaces or space escapes (phrase-gap.ts).
// A phrase with filler words is `re`, then any number of `fillers`, then `tail`. The fillers
// are looped here, not written `(?:all\s+|any\s+)*`: V8 keeps a backtrack entry per repeat of
// such a group, so `ignore ` + 16 MB of `all ` threw "Maximum call stack size exceeded" and
// the result was withheld. The loop takes every filler greedily, as the regex did: no filler
// word is a tail word, so giving one back never let the tail match.
const PHRASES: Array<{ anchors: string[]; re: RegExp; fillers?: RegExp; tail?: RegExp; back: number }> = [
  {
    anchors: ['ignore', 'Ignore', 'IGNORE', 'disregard', 'Disregard', 'DISREGARD', 'forget', 'Forget', 'FORGET', 'override', 'Override', 'OVERRIDE'],
    re: /(?:ignore|disregard|forget|override)\s+/iy,
    fillers: /(?:all|any|the|your|of)\s+/iy,
    tail: /(?:previous|prior|above|preceding|earlier|former|existing|system|original)\s+(?:instructions?|prompts?|directions?|rules|messages|guidelines|context)/iy,
    back: 0,
  },
  {
    // `[` opens every JSON array, so the bracketed forms anchor on their uppercase word.
    anchors: ['<important', '</important', '<system', '</system', '<|im_start|', '<instructions', '</instructions', 'IMPORTANT]', 'INST]'],
    re: /(?:<\/?(?:important|system|instructions)>|\[IMPORTANT\]|<\|im_start\|>|\[INST\])/iy,
    back: 1,
  },
  {
    anchors: ['you must', 'You must', 'YOU MUST', 'you should now', 'You should now'],
    re: /you\s+(?:must|should)\s+/iy,
    fillers: /(?:now|immediately|also|first)\s+/iy,
    tail: /(?:call|use|invoke|run|execute|send|read|fetch|email|forward|upload|post)\b/iy,
    back: 0,
  },
  {
    anchors: ['the user', 'The user', 'THE USER'],
    re: /(?:do\s+not|don't|never|without|not\s+to)\s+(?:tell|telling|inform|informing|mention|mentioning|reveal|revealing|show|showing|notify|notifying|alert|alerting)\s+(?:this\s+(?:to\s+)?)?(?:to\s+)?the\s+user/iy,
    back: 40,
  },
  {
    anchors: ['new instructions', 'New instructions', 'NEW INSTRUCTIONS', 'system prompt', 'System prompt', 'SYSTEM PROMPT'],
    re: /(?:(?:your|these|the)\s+)?new\s+instructions\s*(?:are|:)|(?:reveal|print|output|show|repeat)\s+(?:your|the)\s+system\s+prompt/iy,
    back: 32,
  },
];

const sticky = (re: RegExp): Matcher => (text, pos) => {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex : -1;
};

type PhraseParts = { re: Matcher; fillers?: Matcher; tail?: Matcher };
// Longer than any phrase's first word (`disregard`, `<|im_start|>`): a start just before a hit is seen whole.
const FIRST_WORD_MAX = 32;

/** Where the phrase starting at `s` ends, or -1. */
function phraseEnd({ re, fillers, tail }: PhraseParts, text: string, s: number): number {
  let end = re(text, s);
  if (end < 0 || !fillers || !tail) return end;
  for (let next = fillers(text, end); next >= 0; next = fillers(text, end)) end = next;
  return tail(text, end);
}

const phraseRules: Rule[] = PHRASES.map(({ anchors, re, fillers, tail, back }) => {
  const parts = (where: Where): PhraseParts => ({
    re: phraseMatcher(re, where),
    fillers: fillers && phraseMatcher(fillers, where),
    tail: tail && phraseMatcher(tail, where),
  });
  const plain: PhraseParts = { re: sticky(re), fillers: fillers && sticky(fillers), tail: tail && sticky(tail) };
  const inText = parts('text');
  // On a raw JSON line a space of the text may be written `\n` or `\t` (`\\n` when the text is
  // JSON itself). Checked so, a line whose only hit is benign prose (`the user can…`) passes unparsed.
  const onLine = parts('raw-line');
  // Where a phrase may start before a hit: a first word not glued to a word char (but for the
  // letter of an escape, `\nignore`). One scan of the chars before the hit for it, instead of a
  // sticky test and a boundary check per char, which made anchor-dense text 30 % slower.
  const words = firstWords(re);
  if (!words) throw new Error(`injection phrase ${re.source} does not start with a word`);
  const starts = new RegExp(String.raw`(?<!(?:^|[^\\])\w)` + words, `g${re.flags.replace('y', '')}`);
  /** The phrase around the hit at `at` as [start, end], or null; the farthest start back first, so the longest is taken. */
  const around = (p: PhraseParts, text: string, at: number): [number, number] | null => {
    const from = back ? windowStart(text, at, back) : at;
    if (from < at) {
      // Two chars before `from` for the boundary look-behind; a first word is a few chars long.
      const base = Math.max(0, from - 2);
      const seg = text.slice(base, at + FIRST_WORD_MAX);
      starts.lastIndex = from - base;
      for (let m = starts.exec(seg); m !== null && base + m.index < at; m = starts.exec(seg)) {
        const end = phraseEnd(p, text, base + m.index);
        if (end >= 0) return [base + m.index, end];
        starts.lastIndex = m.index + 1;
      }
    }
    const end = phraseEnd(p, text, at);
    return end >= 0 ? [at, end] : null;
  };
  return {
    type: 'instruction', family: 'injection', severity: 'medium', anchors,
    match(text, at) {
      const span = around(plainGaps(text) ? plain : inText, text, at);
      return span && cue('instruction', span[0], span[1], 'medium');
    },
    rawMatch: (line, at) => around(onLine, line, at) !== null,
  };
});

// U+E0000..E007F tags encode ASCII invisibly ("ASCII smuggling"); U+202A..202E and
// U+2066..2069 reorder what is displayed; zero-width characters hide text boundaries.
// The pattern matches one char or tag pair and `extend` the rest of the run, one run of each
// kind per step: `(?:char|tag)+` made V8 keep a backtrack entry per char, so 16 MB of U+200B
// threw "Maximum call stack size exceeded" (in the raw-line probe too) and the result was withheld.
// The invisible chars of invisible-chars.ts but U+00AD and U+180E, which typeset and Mongolian
// text are full of (they still fold and count as gaps).
const INVISIBLE_CHAR = `[${INVISIBLE_PAST_LATIN1.replace('\\u180e', '')}]`;
const TAG = '\\uDB40[\\uDC00-\\uDC7F]';
// A run starts on a variation selector only after a letter, a space or nothing: the probe does
// not stop on each emoji's U+FE0F (a rule call per `❤️` cost a page of emoji 30 %).
const NOT_SELECTOR = `[${INVISIBLE_PAST_LATIN1.replace('\\u180e', '').replace('\\ufe00-\\ufe0f', '')}]`;
// Or after another selector: a run of them after an emoji smuggles a byte each. The char
// first, then the look back: a lookbehind first made the probe try it at every offset (3x on CJK).
const SELECTOR = `(?:[\\uFE00-\\uFE0F]|${SUPPLEMENT_VARIATION_SELECTOR})`;
const SELECTOR_START = `${SELECTOR}(?<=(?:^|[\\sA-Za-z${INVISIBLE}]|${SUPPLEMENT_VARIATION_SELECTOR})${SELECTOR})`;
const invisible: Rule = {
  type: 'invisible-unicode', family: 'injection', severity: 'medium', anchors: [], trigger: 'invisible', consumes: true,
  pattern: `${NOT_SELECTOR}|${SELECTOR_START}|${TAG}`,
  extend: new RegExp(`${INVISIBLE_CHAR}+|(?:${TAG})+|(?:${SUPPLEMENT_VARIATION_SELECTOR})+`, 'y'),
  match(text, at, hit) {
    const end = at + hit.length;
    if (at === 0 && hit === '\uFEFF') return null; // a byte-order mark
    // Emoji use ZWJ (👩‍💻) and tag sequences (🏴 flags): legitimate when between pictographs.
    const prev = text.charCodeAt(at - 1);
    // A joiner after an unflagged selector (`🏳️‍🌈`): a flagged one would have begun the run.
    if (hit === '\u200D' && ((prev >= 0xdc00 && prev <= 0xdfff) || (prev >= 0xfe00 && prev <= 0xfe0f))) return null;
    if (inItsPlace(text, at, hit)) return null;
    if (hit.charCodeAt(0) === 0xdb40 && text.slice(at - 2, at) === '\uD83C\uDFF4' && hit.endsWith('\uDB40\uDC7F')) return null;
    const tags = hit.charCodeAt(0) === 0xdb40 && hit.charCodeAt(1) <= 0xdc7f;
    const bidi = /[\u202A-\u202E\u2066-\u2069]/.test(hit);
    const type = tags ? 'unicode-tags' : bidi ? 'bidi-control' : 'zero-width';
    return cue(type, at, end, tags ? 'high' : 'medium');
  },
};

const FILLERS = /^[\u115F\u1160\u3164\uFFA0]+$/;
const isJamo = (c: number) => (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3131 && c <= 0x318e) || (c >= 0xa960 && c <= 0xa97f) || (c >= 0xd7b0 && c <= 0xd7ff) || (c >= 0xffa1 && c <= 0xffdc);
const isBraille = (c: number) => c >= 0x2801 && c <= 0x28ff;

/**
 * Whether `hit` is an invisible char where ordinary text has it: one variation selector (and a
 * joiner) after a visible char that is no ASCII letter (`❤️`, `1️⃣`, `👁️‍🗨️`, a CJK ideograph's
 * variant), braille blanks beside braille, Hangul fillers beside jamo. Between words, or after
 * a letter (`you\uFE0Fmust`), it hides a boundary.
 */
function inItsPlace(text: string, at: number, hit: string): boolean {
  const prev = text.charCodeAt(at - 1);
  const next = text.charCodeAt(at + hit.length);
  // By code, not by regex: a page of emoji holds one selector every few dozen chars.
  const first = hit.charCodeAt(0);
  const selector = (first >= 0xfe00 && first <= 0xfe0f) || (first === 0xdb40 && hit.charCodeAt(1) >= 0xdd00) ? (first === 0xdb40 ? 2 : 1) : 0;
  if (selector > 0) {
    if (hit.length !== selector && (hit.length !== selector + 1 || hit.charCodeAt(selector) !== 0x200d)) return false;
    return at > 0 && prev > 0x20 && !isAsciiLetter(prev) && !isInvisible(prev);
  }
  if (/^\u2800+$/.test(hit)) return isBraille(prev) || isBraille(next);
  return FILLERS.test(hit) && (isJamo(prev) || isJamo(next));
}
const isAsciiLetter = (c: number) => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;

const ANSI = '\\u001B(?:\\[[0-9;?<=>]*[ -/]*[@-~]|\\][^\\u0007\\u001B]*(?:\\u0007|\\u001B\\\\)?|[@-Z\\\\-_])|\\u009B[0-9;?]*[ -/]*[@-~]';
// One escape per step: `(?:${ANSI})+` made V8 keep a backtrack entry per escape, so 16 MB of
// `\x1b[31m` threw "Maximum call stack size exceeded" and the result was withheld.
const ansi: Rule = {
  type: 'ansi-escape', family: 'injection', severity: 'medium', anchors: [], trigger: 'ansi', consumes: true,
  pattern: `(?:${ANSI})`,
  extend: new RegExp(`(?:${ANSI})`, 'y'),
  match(_text, at, hit) {
    return cue('ansi-escape', at, at + hit.length, 'medium');
  },
};

export const INJECTION_RULES: Rule[] = [...phraseRules, invisible, ansi];
