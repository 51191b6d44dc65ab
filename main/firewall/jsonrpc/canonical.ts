import { numbersAsRead } from './json-scan.js';
import { SourceNumber } from './source-number.js';
import { sha256Hex } from './sha256.js';

/** A number JSON.parse could not keep as written (beyond 2^53, 1e400, -0): two different texts would read the same. */
const isLossy = (n: number) => !Number.isFinite(n) || Object.is(n, -0) || (Number.isInteger(n) && !Number.isSafeInteger(n));

/** Thrown out of an exact walk at the first lossy number. */
const LOSSY = Symbol('lossy number');

/**
 * Set by an exact walk that met a number with a fraction, or one past 2^52 (where doubles
 * hold no halves). Whether JSON.parse rounded it (0.1000000000000000000001 reads as 0.1,
 * 4503599627370497.5 as …498) only the text can tell, and the text is read only then.
 * (An integer written otherwise, `1.0` or `1e-400` for 0, is left alone: the common path
 * would pay a scan of every call's text for it.)
 */
let roundingPossible = false;
const HALVES_LOST = 2 ** 52;

function write(value: unknown, exact: boolean): string {
  // A number the parse changed, as the server wrote it (source-number.ts): only manifest digests put one in.
  if (value instanceof SourceNumber) return value.source;
  if (value === null || typeof value !== 'object') {
    if (exact && typeof value === 'number') {
      if (isLossy(value)) throw LOSSY;
      if (!Number.isInteger(value) || Math.abs(value) >= HALVES_LOST) roundingPossible = true;
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => write(v, exact)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], exact)}`).join(',')}}`;
}

/** JSON with sorted keys, so equal arguments give equal digests whatever their key order. */
export function canonicalJson(value: unknown): string {
  return write(value, false);
}

const sha256 = (text: string) => `sha256:${sha256Hex(text)}`;

export function digestOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * digestOf(value), or null when `value` holds a number JSON.parse rounded (see isLossy):
 * its canonical form would not tell two different texts apart. Found in the same walk; a
 * number with a fraction is checked against `source()`, the text `value` was parsed from.
 */
export function exactDigestOf(value: unknown, source?: () => string): string | null {
  roundingPossible = false;
  let digest: string;
  try {
    digest = sha256(write(value, true));
  } catch (error) {
    if (error === LOSSY) return null;
    throw error;
  }
  return roundingPossible && source && !numbersAsRead(source()) ? null : digest;
}
