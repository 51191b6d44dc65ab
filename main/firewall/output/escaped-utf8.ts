// A text blob that is not valid UTF-8 is still read as UTF-8 (clients do), but its stray bytes
// must come back as they were when it is redacted: each byte no UTF-8 sequence holds is read
// as a lone surrogate U+DC80-U+DCFF (Python's "surrogateescape"), which valid UTF-8 never
// decodes to, and written back as that byte. The detectors see every valid character as it
// is (tags, bidi overrides), and a redaction, which puts ASCII in place of a span, leaves
// every other byte of the blob untouched.

const ESCAPE = 0xdc00;

/** `bytes` as UTF-8, each byte outside a valid sequence as U+DC80-U+DCFF. */
export function decodeEscapedUtf8(bytes: Uint8Array): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (start < i) out += Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('utf8');
    out += String.fromCharCode(ESCAPE + bytes[i]!);
    start = ++i;
  }
  if (start < bytes.length) out += Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start).toString('utf8');
  return out;
}

/** The bytes `decodeEscapedUtf8` read `text` from (its escapes back as the bytes they stand for). */
export function encodeEscapedUtf8(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one is half of a real character, not an escape.
    if (c < 0xdc80 || c > 0xdcff || (i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) continue;
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(c - ESCAPE));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
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
