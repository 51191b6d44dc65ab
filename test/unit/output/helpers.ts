import { crc32 } from 'node:zlib';
import { detect, type Finding } from '../../../main/firewall/output/index.js';

/** The findings of `text` as `[type, matched text]` pairs, easy to assert on. */
export function found(text: string): Array<[string, string]> {
  return detect(text).map((f: Finding) => [f.type, text.slice(f.start, f.end)]);
}

export function types(text: string): string[] {
  return detect(text).map((f) => f.type);
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/**
 * A token in GitHub's documented format: 30 random chars and a base62 CRC32 of them,
 * computed here with zlib's CRC32 so the detector's own implementation is checked.
 */
export function githubStyleToken(prefix: string, body30: string): string {
  let n = crc32(body30);
  let sum = '';
  while (n > 0) {
    sum = B62[n % 62] + sum;
    n = Math.floor(n / 62);
  }
  return prefix + body30 + sum.padStart(6, '0');
}
