import { decodeEscapedUtf8, encodeEscapedUtf8, strayBytes } from './escaped-utf8.js';
import type { Family } from './types.js';

// Which strings of a message are base64 a client decodes rather than text it shows the model.
// Scanning an image's base64 costs time and finds nonsense; but the names `blob` and `data`
// alone prove nothing (structuredContent, error.data and log lines hold anything), so a value
// is skipped only where MCP puts binary content and only when it is base64 at all.

/**
 * How scanTree reads a string: as it is, not at all, decoded from base64 (a text resource),
 * or both ways (`loose-base64-text`: a text resource's blob that is not strict base64. Lenient
 * decoders — Python's b64decode, Node's Buffer — skip what is not of the alphabet, so line
 * breaks, the URL-safe alphabet or stray characters still decode to the text: it is read as
 * what they decode to when that is text, and as it is too).
 */
export type FieldReading = 'text' | 'binary' | 'base64-text' | 'loose-base64-text';

// Text types a client decodes for the model: text/*, the structured formats and their
// `+json` / `+xml` / `+yaml` suffixes (application/ld+json, image/svg+xml), scripts.
const TEXT_MIME = /^(?:text\/|application\/(?:json|xml|yaml|x-yaml|toml|javascript|ecmascript|x-sh|sql|graphql)\b)|\+(?:json|xml|yaml)\b/i;

// The schema's `format: byte` (RFC 4648): the standard alphabet, padded, no line breaks. The
// TypeScript SDK's own check (z.base64()) is as strict, so a client built on it refuses anything else.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isTextMime(mimeType: string): boolean {
  return TEXT_MIME.test(mimeType);
}

function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64.test(value);
}

/**
 * How to read `parent[key]`, a string. A resource's contents (an object with a `uri`) keep
 * base64 in `blob`: of a text type it is decoded and scanned, of another skipped. Image and
 * audio blocks, and any `data` beside a binary mimeType, keep base64 in `data`: skipped.
 * Anything not valid base64 is text, wherever it sits.
 */
export function readingOf(key: string | number, parent: Record<string, unknown>, value: string): FieldReading {
  const mime = typeof parent.mimeType === 'string' ? parent.mimeType : undefined;
  if (key === 'blob') {
    if (typeof parent.uri !== 'string') return 'text';
    const textType = mime === undefined || isTextMime(mime);
    if (isBase64(value)) return textType ? 'base64-text' : 'binary';
    return textType ? 'loose-base64-text' : 'text';
  }
  if (key !== 'data') return 'text';
  const media = parent.type === 'image' || parent.type === 'audio';
  const binary = mime !== undefined ? !isTextMime(mime) : media;
  return binary && isBase64(value) ? 'binary' : 'text';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** How a text blob's bytes were read, so a redacted text goes back into the same bytes. */
export type BlobEncoding = 'utf8' | 'utf8-escaped' | 'utf16le' | 'utf16be';

export interface BlobText {
  text: string;
  encoding: BlobEncoding;
  /** Only findings of these families count in this reading (all when absent). */
  counts?: readonly Family[];
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * The ways a resource blob reads as text, the one a client most likely shows first; empty
 * when it holds none (a blob without a mimeType is text only if it is UTF-8: an unlabelled
 * binary file is not, past a few bytes). A labelled blob reads as UTF-8, as most clients
 * read it whatever the label says; when it is not valid UTF-8 its stray bytes are kept as
 * escapes (escaped-utf8.ts): they hide nothing from the scan, and a redaction changes no
 * other byte. A blob labelled UTF-16, or opening with its byte order mark, reads as UTF-16
 * (as UTF-8 its ASCII letters stand apart and no token is found), and as UTF-8 as well (a
 * label may lie: a fetched Content-Type passed on; a client may ignore it).
 */
export function blobReadings(value: string, parent: Record<string, unknown>): BlobText[] {
  const bytes = Buffer.from(value, 'base64');
  const mime = typeof parent.mimeType === 'string' ? parent.mimeType : undefined;
  const charset = mime === undefined ? undefined : CHARSET.exec(mime)?.[1]?.toLowerCase();
  const bom = bytes[0] === 0xff && bytes[1] === 0xfe ? 'le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'be' : undefined;
  const utf16 = (charset !== undefined && /^(?:utf-?16|ucs-?2)/.test(charset)) || bom !== undefined ? utf16Text(bytes, charset ?? '', bom) : null;
  let utf8: BlobText | null = null;
  try {
    utf8 = { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    if (utf16 || mime !== undefined) {
      const text = decodeEscapedUtf8(bytes);
      // UTF-16 read as UTF-8 is noise, full of stray bytes, in which control-character cues
      // turn up by chance (the bytes of 创 are ESC R): there only tokens and addresses count.
      // UTF-8 text behind a byte order mark (or a stray byte or two) is text, read in full.
      const noise = utf16 !== null && strayBytes(text) > 2 + bytes.length / 50;
      utf8 = { text, encoding: 'utf8-escaped', ...(noise ? { counts: ['secret', 'pii'] as const } : {}) };
    }
  }
  const readings = utf16 ? [utf16, utf8] : [utf8];
  return readings.filter((r): r is BlobText => r !== null);
}

function utf16Text(bytes: Buffer, charset: string, bom: 'le' | 'be' | undefined): BlobText {
  // Plain "utf-16" is big-endian unless its byte order mark says otherwise (RFC 2781).
  const little = charset.endsWith('le') || (!charset.endsWith('be') && bom === 'le');
  const even = bytes.subarray(0, bytes.length & ~1);
  return little ? { text: even.toString('utf16le'), encoding: 'utf16le' } : { text: Buffer.from(even).swap16().toString('utf16le'), encoding: 'utf16be' };
}

// Bytes that plain text does not hold: what a lenient decode of words (not base64) yields.
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

/** What a lenient decoder reads from a blob that is not strict base64, when that is text; else null. */
export function looseBlobText(value: string): string | null {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0) return null;
  try {
    const text = strictUtf8.decode(bytes);
    return NOT_TEXT.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** A redacted blob, encoded again so the client still reads valid base64 of the text type it was. */
export function encodeBlob(text: string, encoding: BlobEncoding = 'utf8'): string {
  if (encoding === 'utf16be') return Buffer.from(text, 'utf16le').swap16().toString('base64');
  if (encoding === 'utf8-escaped') return encodeEscapedUtf8(text).toString('base64');
  return Buffer.from(text, encoding).toString('base64');
}
