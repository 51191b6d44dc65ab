import type { Cue } from './cue-types.js';
import { boundedCues } from './cue-bound.js';
import { excerptAt } from './excerpt.js';

// Runs of characters that render as nothing. Tag characters (U+E0000–E007F) spell ASCII that
// the model reads but no UI shows; variation selectors can carry one byte each after an
// emoji; zero-width characters split words to slip past keyword filters.
const TAGS = /(?:\udb40[\udc00-\udc7f])+/g;
const VS_SUPPLEMENT = /(?:\udb40[\udd00-\uddef])+/g;
const VS_BASIC = /[\ufe00-\ufe0f]{2,}/g;
const ZERO_WIDTH = /[\u00ad\u034f\u180e\u200b-\u200d\u2060-\u2064\ufeff\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0]+/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069]+/g;
const BIDI_MARKS = /[\u200e\u200f\u061c]+/g;
// One variation selector has a use after an emoji, a digit (keycaps), a CJK ideograph; after a
// Latin letter, a space or nothing it only hides a word boundary: `ignore\ufe0fprevious`.
const VS_AFTER_LETTER = /(?<=^|[\sA-Za-z])(?:[\ufe00-\ufe0f]|\udb40[\udd00-\uddef])/g;
// CSI, OSC and two-character escapes: enough to hide text (SGR 8), erase lines or retitle.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]{0,512}(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f-\u009f]+/g;
// In a tool or parameter name tabs and line breaks count too: a name has no business with them.
const NAME_CONTROL = /[\u0000-\u001a\u001c-\u001f\u007f-\u009f]+/g;
const EMOJI = /\p{Extended_Pictographic}/u;

function decodeTags(run: string): string {
  let s = '';
  for (const ch of run) {
    const cp = ch.codePointAt(0)! - 0xe0000;
    s += cp >= 0x20 && cp < 0x7f ? String.fromCharCode(cp) : '';
  }
  return s;
}

/** `identifier`: a tool or parameter name, where any invisible character is impersonation. */
export function findInvisibleCues(path: string, text: string, identifier = false): Cue[] {
  const cues = boundedCues();
  // Fast path: plain printable ASCII and ordinary letters cannot hold any of the above.
  if (!(identifier && /[\t\n]/.test(text)) && !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\udb40]/.test(text)) {
    return cues.kept;
  }
  const push = (m: RegExpExecArray, kind: Cue['kind'], severity: Cue['severity'], reason: string, excerpt?: string): void => {
    if (cues.full(severity)) return;
    cues.add([{ kind, path, start: m.index, end: m.index + m[0].length, severity, reason, excerpt: excerpt ?? excerptAt(text, m.index, m.index + m[0].length) }]);
  };
  for (const m of text.matchAll(TAGS)) {
    push(m, 'invisible-unicode', 'high', 'Unicode tag characters: invisible text the model still reads', `hidden text: "${decodeTags(m[0])}"`);
  }
  for (const m of text.matchAll(VS_SUPPLEMENT)) {
    if (m[0].length >= 4) push(m, 'invisible-unicode', 'high', 'run of variation selectors: bytes smuggled after a visible character');
  }
  for (const m of text.matchAll(VS_AFTER_LETTER)) {
    push(m, 'invisible-unicode', 'high', 'variation selector after a letter or a space: splits keywords past filters');
  }
  for (const m of text.matchAll(VS_BASIC)) {
    push(m, 'invisible-unicode', 'medium', 'run of variation selectors: bytes smuggled after a visible character');
  }
  for (const m of text.matchAll(ZERO_WIDTH)) {
    const before = text.slice(Math.max(0, m.index - 2), m.index);
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 2);
    // A single ZWJ between emoji is how families and skin tones are spelled; a BOM at the
    // very start is an encoding artefact. Neither hides anything.
    if (m[0] === '\u200d' && EMOJI.test(before) && EMOJI.test(after)) continue;
    if (m[0] === '\ufeff' && m.index === 0) continue;
    const inWord = /\p{L}$/u.test(before) && /^\p{L}/u.test(after);
    const severity = identifier || inWord || m[0].length >= 2 ? 'high' : 'medium';
    push(m, 'invisible-unicode', severity, inWord ? 'zero-width character inside a word: splits keywords past filters' : 'zero-width characters: invisible content');
  }
  for (const m of text.matchAll(BIDI)) {
    push(m, 'bidi-control', 'high', 'bidirectional override/isolate: what the reviewer sees differs from what the model reads');
  }
  for (const m of text.matchAll(BIDI_MARKS)) {
    // Between two Latin letters a mark changes no direction: it splits a keyword (`ignore\u061cprevious`).
    const inWord = /[A-Za-z]/.test(text.charAt(m.index - 1)) && /[A-Za-z]/.test(text.charAt(m.index + m[0].length));
    push(m, 'bidi-control', inWord ? 'high' : 'low', inWord ? 'directional mark inside a word: splits keywords past filters' : 'directional mark');
  }
  for (const m of text.matchAll(ANSI)) {
    push(m, 'ansi-escape', 'high', 'ANSI escape sequence: can hide or overwrite text in terminal clients');
  }
  for (const m of text.matchAll(identifier ? NAME_CONTROL : CONTROL)) {
    if (m[0].startsWith('\u001b')) continue;
    // A name is shown on one line (the approval dialog, the tray, `approvals list`): a line
    // break in it writes a line of its own there, e.g. "write_file (read)\n\nWhy: read-only".
    if (identifier) push(m, 'control-character', 'high', 'line break or control character in a name: it can write lines of its own where the name is shown');
    else push(m, 'control-character', 'medium', 'control character in tool metadata');
  }
  return cues.kept;
}

/** ASCII smuggled as tag characters, decoded, so the phrase rules can read it too. */
export function decodedTagText(text: string): string {
  let out = '';
  for (const m of text.matchAll(TAGS)) out += decodeTags(m[0]) + ' ';
  return out;
}
