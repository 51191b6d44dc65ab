// A private key read without its first lines: a file read from line 2, or page 2 of a paged
// read (lines 10..end), holds the key's primes but no `-----BEGIN ... PRIVATE KEY-----` or
// `PuTTY-User-Key-File-` line for the header rules to start on. Such a read still ends on the
// key's END line (or PuTTY's `Private-MAC:`), so these rules start there and walk back over the
// body lines above it. Without an end line nothing is flagged: a run of base64 alone is as
// likely an image or a certificate as a key.
import type { Finding, Rule } from './types.js';

const PEM_TAIL = /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;
const PUTTY_MAC = /Private-MAC: *[0-9a-fA-F]{2}/y;

// PEM, PuTTY and GCP's JSON wrap bodies at 64 chars, OpenSSH at 70; a longer line is no body
// line. The bound also keeps each walk's cost per line fixed, whatever the text holds.
const MAX_LINE = 256;
// A body line: base64, perhaps behind the line number a reader put there (`cat -n` writes
// `     2\t`, Claude Code's Read `     2→`, others `2: ` or `2| `).
const PREFIX = String.raw`[ \t]*(?:\d{1,7}(?:\t|\u2192|[:|] ?| +)[ \t]*)?`;
const BODY_LINE = new RegExp(String.raw`${PREFIX}([A-Za-z0-9+/=]+)[ \t\r]*`, 'dy');
const NUMBER_PREFIX = new RegExp(PREFIX, 'y');
// A header rule asks as much of a key body: fewer base64 chars is a stub in documentation.
const MIN_BODY = 40;

/** Whether `text[i]` ends a JSON `\n` or `\r` escape (a service-account file's `private_key`). */
const escapedBreak = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return (c === 110 || c === 114) && text.charCodeAt(i - 1) === 92;
};

/** Where the line ending just before `p` ends (before its `\n`, `\r\n` or JSON's `\n` escape), or -1. */
function previousLineEnd(text: string, p: number): number {
  if (text.charCodeAt(p - 1) === 10) return p - 1;
  if (text.charCodeAt(p - 2) === 92 && text[p - 1] === 'n') {
    return text.charCodeAt(p - 4) === 92 && text[p - 3] === 'r' ? p - 4 : p - 2;
  }
  return -1;
}

/** Start of the line that ends at `end`, or -1 when it is longer than a body line may be. */
function lineStart(text: string, end: number, limit: number): number {
  const stop = Math.max(0, end - limit);
  for (let i = end - 1; i >= stop; i--) {
    if (text.charCodeAt(i) === 10 || escapedBreak(text, i)) return i + 1;
  }
  return stop === 0 ? 0 : -1;
}

// What may stand before an END line on its line: indentation and a reader's line number.
const isPrefixChar = (c: number) => c === 0x20 || c === 0x09 || (c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x7c || c === 0x2192;

/**
 * Start of the line holding `at` when only what NUMBER_PREFIX may match stands before it, or
 * -1. Nested YAML (a Kubernetes Secret in a Helm chart) indents a key 16 or 20 spaces, a
 * reader's line number adds its own: no fixed bound fits. The walk stops at the first char no
 * prefix holds, so the runs two END anchors walk back over never overlap.
 */
function prefixStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && isPrefixChar(text.charCodeAt(i - 1))) i--;
  if (i === 0 || text.charCodeAt(i - 1) === 10) return i;
  return escapedBreak(text, i - 1) ? i : -1;
}

// The top line read may open the body after a quote: `"private_key": "MIIE…\n…` read from the middle.
const QUOTED_TAIL = /["' ]([A-Za-z0-9+/=]{20,})[ \t\r]*$/d;
/** Start of the base64 closing the line `from`..`end` after a quote or a space, or `end`. */
function bodyAfterQuote(text: string, from: number, end: number): number {
  const m = QUOTED_TAIL.exec(text.slice(from, end));
  return m ? from + m.indices![1]![0] : end;
}

/**
 * Start of the body lines directly above the line holding `at`, or -1 when they hold fewer
 * than MIN_BODY base64 chars. The walk stops at the first line that is not one: another key's
 * END line, a `Private-Lines:` or a blank line. So each line is read by one walk at most.
 */
function bodyAbove(text: string, at: number): number {
  // The end line itself may carry a line number in front.
  const own = prefixStart(text, at);
  if (own === -1) return -1;
  NUMBER_PREFIX.lastIndex = own;
  NUMBER_PREFIX.test(text);
  if (NUMBER_PREFIX.lastIndex !== at) return -1;
  let start = -1;
  let b64 = 0;
  for (let p = own; p > 0; ) {
    const end = previousLineEnd(text, p);
    if (end === -1) break;
    const from = lineStart(text, end, MAX_LINE);
    if (from === -1) break;
    BODY_LINE.lastIndex = from;
    const m = BODY_LINE.exec(text);
    if (!m || BODY_LINE.lastIndex !== end) {
      start = Math.min(start === -1 ? p : start, bodyAfterQuote(text, from, end));
      break;
    }
    b64 += m[1]!.length;
    start = m.indices![1]![0];
    p = from;
  }
  return b64 >= MIN_BODY ? start : -1;
}

const secret = (start: number, end: number): Finding => ({ type: 'private-key', family: 'secret', severity: 'high', start, end });

const pemTail: Rule = {
  type: 'private-key', family: 'secret', severity: 'high', anchors: ['-----END'],
  match(text, at) {
    PEM_TAIL.lastIndex = at;
    if (!PEM_TAIL.test(text)) return null;
    const start = bodyAbove(text, at);
    return start === -1 ? null : secret(start, PEM_TAIL.lastIndex);
  },
};

// PuTTY's private lines sit between `Private-Lines: N` and `Private-MAC:`; the public lines
// above `Private-Lines:` are the public key, and the walk stops at that line.
const puttyTail: Rule = {
  type: 'private-key', family: 'secret', severity: 'high', anchors: ['Private-MAC:'],
  match(text, at) {
    PUTTY_MAC.lastIndex = at;
    if (!PUTTY_MAC.test(text)) return null;
    const start = bodyAbove(text, at);
    return start === -1 ? null : secret(start, at);
  },
};

export const KEY_TAIL_RULES: Rule[] = [pemTail, puttyTail];
