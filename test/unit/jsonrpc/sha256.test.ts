import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../main/firewall/jsonrpc/sha256.js';
import { newSessionId } from '../../../main/firewall/proxy/session-id.js';

const openssl = (text: string) => hash('sha256', text, 'hex');

describe('sha256Hex', () => {
  it('matches the published test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with OpenSSL at every padding boundary, for multi-byte text, lone surrogates, and past the switch to node:crypto', () => {
    const texts: string[] = [];
    for (let n = 0; n <= 130; n++) texts.push('x'.repeat(n));
    texts.push('é'.repeat(341), '😀'.repeat(511), '\ud800 lone \udfff', 'k'.repeat(1023), 'k'.repeat(1024), 'é'.repeat(1023), 'z'.repeat(50_000));
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      let text = '';
      const length = Math.floor(next() * 1200);
      for (let j = 0; j < length; j++) text += String.fromCharCode(next() < 0.8 ? 32 + next() * 95 : next() * 0xffff);
      texts.push(text);
    }
    const wrong = texts.filter((text) => sha256Hex(text) !== openssl(text));
    expect(wrong).toEqual([]);
  });
});

describe('newSessionId', () => {
  it('is ses_ and 8 random bytes in base64url, different every time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newSessionId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^ses_[A-Za-z0-9_-]{11}$/);
  });
});
