// The text as the phrase rules read it, and as a model does. Invisible characters are dropped,
// so `ig\u200bnore` reads `ignore`. Every run of spaces, line breaks, Unicode spaces (U+00A0,
// U+2000-200A, U+3000...) and of the escapes a doubly escaped description shows (`\n`, `\t`,
// `\u00a0`) is one space: the rules' windows stopped at a line break (`Do not tell\nthe user`),
// counted each extra space against their bound, or allowed one char between two words
// (`api[\s_-]?keys`: `API  keys`), so a description passed by writing its spaces otherwise.

import { BLANK, INVISIBLE } from '../invisible-chars.js';

export interface PhraseView {
  clean: string;
  toOriginal: (i: number) => number;
}

// One alternative per kind, each repeating a body of one length: a group mixing them, repeated,
// makes V8 keep a backtrack entry per repeat (a hostile description may be MBs of them).
// Adjacent runs of different kinds are joined in code.
const RUNS = new RegExp(String.raw`[\s${INVISIBLE}]+|(?:\udb40[\udc00-\uddef])+|(?:\\[nrt])+|\\u([0-9a-fA-F]{4})`, 'g');
// Blanks (U+2800, the Hangul fillers…) read as a space, not as nothing: `ignore\u2800previous`.
const SPACE = new RegExp(`[\\s${BLANK}]`);
const INVISIBLE_CHAR = new RegExp(`[${INVISIBLE}]`);

type Kind = 'gap' | 'drop' | 'keep';

function kindOf(run: string, hex: string | undefined): Kind {
  if (run === ' ') return 'gap';
  if (hex !== undefined) {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return SPACE.test(ch) ? 'gap' : INVISIBLE_CHAR.test(ch) ? 'drop' : 'keep';
  }
  if (run.charCodeAt(0) === 0x5c) return 'gap';
  return SPACE.test(run) ? 'gap' : 'drop';
}

/** `text` with invisible characters dropped and each run of spaces one ` `, and where its chars came from. */
export function phraseView(text: string): PhraseView {
  const parts: string[] = [];
  // Pairs (offset in the view, offset in the text) where the two stop running in step.
  const marks: number[] = [];
  let from = 0;
  let d = 0;
  let runStart = -1;
  let runEnd = -1;
  let runGap = false;
  const flush = (): void => {
    if (runStart < 0) return;
    const to = runGap ? ' ' : '';
    if (!(to === ' ' && runEnd - runStart === 1 && text.charCodeAt(runStart) === 0x20)) {
      parts.push(text.slice(from, runStart), to);
      d += runStart - from;
      marks.push(d, runStart);
      d += to.length;
      from = runEnd;
      marks.push(d, from);
    }
    runStart = -1;
  };
  RUNS.lastIndex = 0;
  for (let m; (m = RUNS.exec(text)) !== null; ) {
    const kind = kindOf(m[0], m[1]);
    if (kind === 'keep' || m.index !== runEnd) flush();
    if (kind === 'keep') continue;
    if (runStart < 0) {
      runStart = m.index;
      runGap = false;
    }
    runEnd = m.index + m[0].length;
    runGap ||= kind === 'gap';
  }
  flush();
  if (marks.length === 0) return { clean: text, toOriginal: (i) => i };
  parts.push(text.slice(from));
  return { clean: parts.join(''), toOriginal: (i) => toOriginal(marks, i) };
}

/** The offset in the text of the view's char `i`: the last mark at or before it, then in step. */
function toOriginal(marks: readonly number[], i: number): number {
  let lo = 0;
  let hi = marks.length / 2 - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (marks[2 * mid]! <= i) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return k === -1 ? i : marks[2 * k + 1]! + (i - marks[2 * k]!);
}
