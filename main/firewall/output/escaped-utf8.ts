// A text blob that is not valid UTF-8 is still read as UTF-8 (clients do), but its stray bytes
// must come back as they were when it is redacted: each byte no UTF-8 sequence holds is read
// as a lone surrogate U+DC80-U+DCFF (Python's "surrogateescape"), which valid UTF-8 never
// decodes to, and written back as that byte. The detectors see every valid character as it
// is (tags, bidi overrides), and a redaction, which puts ASCII in place of a span, leaves
// every other byte of the blob untouched.

const ESCAPE = 0xdc00;

/**
 * `bytes` as UTF-8, each byte outside a valid sequence as U+DC80-U+DCFF. Decoded into UTF-16
 * code units in one pass: a string built run by run costs a call per stray byte, and Latin-1
 * text has one every few bytes (3.6 MB took 250 ms).
 */
export function decodeEscapedUtf8(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  let n = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      units[n++] = lead;
      i++;
      continue;
    }
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      units[n++] = ESCAPE + lead;
      i++;
      continue;
    }
    let point = length === 2 ? lead & 0x1f : length === 3 ? lead & 0x0f : lead & 0x07;
    for (let k = 1; k < length; k++) point = (point << 6) | (bytes[i + k]! & 0x3f);
    if (point >= 0x10000) {
      point -= 0x10000;
      units[n++] = 0xd800 + (point >> 10);
      units[n++] = 0xdc00 + (point & 0x3ff);
    } else {
      units[n++] = point;
    }
    i += length;
  }
  // Node's UTF-16 decoding keeps lone surrogates (TextDecoder would replace them).
  return Buffer.from(units.buffer, 0, n * 2).toString('utf16le');
}

const ESCAPED = /[\uDC80-\uDCFF]/g;

/** How many stray bytes `text` (from decodeEscapedUtf8) stands for. */
export function strayBytes(text: string): number {
  return text.match(ESCAPED)?.length ?? 0;
}

/** The bytes `decodeEscapedUtf8` read `text` from (its escapes back as the bytes they stand for). */
export function encodeEscapedUtf8(text: string): Buffer {
  ESCAPED.lastIndex = 0;
  if (!ESCAPED.test(text)) return Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(text.length * 3);
  let at = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one is half of a real character, not an escape.
    if (c < 0xdc80 || c > 0xdcff || (i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) continue;
    at += out.write(text.slice(start, i), at, 'utf8');
    out[at++] = c - ESCAPE;
    start = i + 1;
  }
  at += out.write(text.slice(start), at, 'utf8');
  return out.subarray(0, at);
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const continues = (bytes: Uint8Array, i: number) => i < bytes.length && (bytes[i]! & 0xc0) === 0x80;

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const next = bytes[i + 1];
  if (lead >= 0xc2 && lead <= 0xdf) return continues(bytes, i + 1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (next === undefined || (lead === 0xe0 && next < 0xa0) || (lead === 0xed && next > 0x9f)) return 0;
    return continues(bytes, i + 1) && continues(bytes, i + 2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (next === undefined || (lead === 0xf0 && next < 0x90) || (lead === 0xf4 && next > 0x8f)) return 0;
    return continues(bytes, i + 1) && continues(bytes, i + 2) && continues(bytes, i + 3) ? 4 : 0;
  }
  return 0;
}
