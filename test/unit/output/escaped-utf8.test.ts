import { describe, expect, it } from 'vitest';
import { decodeEscapedUtf8, encodeEscapedUtf8 } from '../../../main/firewall/output/escaped-utf8.js';

describe('UTF-8 with its stray bytes kept', () => {
  it('gives back every byte string it read, valid or not', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const samples = [Buffer.from('plain ascii'), Buffer.from('é 创 😀 \u{E0041}', 'utf8'), Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x80])];
    for (let n = 0; n < 300; n++) samples.push(Buffer.from(Array.from({ length: next() % 40 }, () => next() % 256)));
    for (const bytes of samples) expect(encodeEscapedUtf8(decodeEscapedUtf8(bytes)).equals(bytes), bytes.toString('hex')).toBe(true);
  });

  it('reads valid characters as they are, stray bytes as escapes', () => {
    const text = decodeEscapedUtf8(Buffer.concat([Buffer.from('a\u202Eb😀', 'utf8'), Buffer.from([0xe9])]));
    expect(text).toBe('a\u202Eb😀\uDCE9');
  });
});
