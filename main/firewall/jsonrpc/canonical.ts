import { sha256Hex } from './sha256.js';

/** A number JSON.parse could not keep as written (beyond 2^53, 1e400, -0): two different texts would read the same. */
const isLossy = (n: number) => !Number.isFinite(n) || Object.is(n, -0) || (Number.isInteger(n) && !Number.isSafeInteger(n));

/** Thrown out of an exact walk at the first lossy number. */
const LOSSY = Symbol('lossy number');

function write(value: unknown, exact: boolean): string {
  if (value === null || typeof value !== 'object') {
    if (exact && typeof value === 'number' && isLossy(value)) throw LOSSY;
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
 * its canonical form would not tell two different texts apart. Found in the same walk.
 */
export function exactDigestOf(value: unknown): string | null {
  try {
    return sha256(write(value, true));
  } catch (error) {
    if (error === LOSSY) return null;
    throw error;
  }
}
