// Characters a reviewer cannot see in a terminal, a dialog or the dashboard but the model
// still reads: C0/C1 controls (ANSI escapes start with ESC), format characters (zero-width,
// bidi: a right-to-left override in a server name turns the tool name after it around),
// Unicode tag characters and variation selectors (both used to smuggle text). Shared by the
// engine and the renderer, so the dashboard spells out exactly what the CLI and diffs do.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\u{E0000}-\u{E01EF}]/gu;

/** Replaces invisible characters with a visible `\u{…}` marker so a diff or excerpt shows them. */
export function makeVisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/**
 * JSON text with a line break after every `\n` escape in its strings, the escape kept: a file
 * body an approver must read shows line by line, and still says where each break was. An
 * escaped backslash before an `n` (`\\n`) is no line break and stays as it is.
 */
export function breakAtEscapedNewlines(json: string): string {
  return json.replace(ESCAPED_NEWLINE, '$1\\n\n');
}
const ESCAPED_NEWLINE = /(?<!\\)((?:\\\\)*)\\n/g;

const asIs = (part: string) => part;

/**
 * `text` when it has no more than `max` characters; else its first `headShare` of `max`
 * characters and its last ones, with `mark(n)` for the n left out between them. Each end
 * goes through `show` after the cut, so the cut never splits an escape `show` writes.
 * Characters, not UTF-16 units: a cut never leaves half an emoji. Only the ends are walked
 * one by one, so a 5 MB line a server wrote into a tool stays cheap to shorten.
 */
export function keepEnds(text: string, max: number, headShare: number, mark: (cut: number) => string, show: (part: string) => string = asIs): string {
  // No more UTF-16 units than `max` means no more characters either: most text takes this path.
  if (text.length <= max) return show(text);
  const head = Math.floor(max * headShare);
  const headEnd = afterChars(text, 0, head);
  const tailStart = beforeLastChars(text, max - head);
  if (tailStart <= headEnd) return show(text);
  // The middle's characters: its UTF-16 units less one per surrogate pair (a native scan, not a loop per unit).
  SURROGATE_PAIR.lastIndex = headEnd;
  let pairs = 0;
  while (SURROGATE_PAIR.exec(text) !== null && SURROGATE_PAIR.lastIndex <= tailStart) pairs++;
  const cut = tailStart - headEnd - pairs;
  return `${show(text.slice(0, headEnd))}${mark(cut)}${show(text.slice(tailStart))}`;
}

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/g;
const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The index just past `count` characters from `from` (a surrogate pair is one character, as a string's iterator counts). */
function afterChars(text: string, from: number, count: number): number {
  let at = from;
  for (let n = 0; n < count && at < text.length; n++) at += isHigh(text.charCodeAt(at)) && isLow(text.charCodeAt(at + 1)) ? 2 : 1;
  return at;
}

/** The index where the last `count` characters start. */
function beforeLastChars(text: string, count: number): number {
  let at = text.length;
  for (let n = 0; n < count && at > 0; n++) at -= at >= 2 && isLow(text.charCodeAt(at - 1)) && isHigh(text.charCodeAt(at - 2)) ? 2 : 1;
  return at;
}

const LINE_BREAKS = /[\t\n\r]/g;
const HEAD_SHARE = 0.75;

/**
 * A name from a config, a server or a client (server, tool, gate) for a place that shows it on
 * one line: a tray menu item, a notification title, the first line of the native approval dialog.
 * Line breaks are spelled out as well, or a tool named "write_file (read)\n\nWhy: read-only…"
 * would write its own lines into the dialog a person decides by; a name longer than `max`
 * characters keeps its start and its end (where ".exe" would be) and says how much was cut.
 */
export function oneLineName(name: string, max = 120): string {
  const shown = (text: string) => makeVisible(text).replace(LINE_BREAKS, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
  return keepEnds(name, max, HEAD_SHARE, (cut) => `…(${cut} chars cut)…`, shown);
}

/** Whether an approval's reason still needs its rule named: most say "rule 'x' matched …" already. */
export function reasonLacksRule(reason: string, ruleId: string | null | undefined): ruleId is string {
  return !!ruleId && !reason.includes(ruleId);
}
