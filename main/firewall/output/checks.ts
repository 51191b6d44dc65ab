// Cheap validity checks that turn "looks like" into "is": checksums cut false positives
// on random-looking strings far better than longer regexes do.

export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

let crcTable: Uint32Array | undefined;
function crc32(s: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < s.length; i++) crc = (crcTable[(crc ^ s.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens end in a 6-char base62
 * CRC32 of the 30 random chars before it — a real token always passes.
 */
export function tokenCrcValid(body36: string): boolean {
  if (body36.length !== 36) return false;
  return base62(crc32(body36.slice(0, 30)), 6) === body36.slice(30);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the first four chars to the end, letters to 10..35, remainder 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) r = (r * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) r = (r * 100 + (c - 55)) % 97;
    else return false;
  }
  return r === 1;
}

export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** Word char for token boundaries: alnum or underscore. */
export function isWord(c: number): boolean {
  return isAlnum(c) || c === 95;
}

const isHexDigit = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/**
 * Whether `at` follows a percent-escape (`%3D`, `%20`, `%2F`): in a URL-encoded URL or form
 * (`next=%2Fapi%3Faccess_token%3Dghp_…`, a logged redirect) the escape is the token's
 * boundary, though its last char is a digit or letter.
 */
export function afterPercentEscape(text: string, at: number): boolean {
  return at >= 3 && text.charCodeAt(at - 3) === 37 && isHexDigit(text.charCodeAt(at - 2)) && isHexDigit(text.charCodeAt(at - 1));
}
