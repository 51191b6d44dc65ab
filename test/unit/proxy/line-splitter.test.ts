import { describe, expect, it } from 'vitest';
import { createLineSplitter } from '../../../main/firewall/jsonrpc/line-splitter.js';
import { compileGlob } from '../../../main/firewall/policy/glob.js';

describe('line splitter', () => {
  it('splits messages across arbitrary chunk boundaries and keeps bytes intact', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line.toString('utf8')));
    const text = '{"a":"é"}\n{"b":2}\r\n\n{"c":3}\n{"partial"';
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 3) splitter.push(bytes.subarray(i, i + 3));
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', '{"c":3}']);
    expect(splitter.end()?.toString()).toBe('{"partial"');
  });
  it('joins a multi-megabyte message delivered in many chunks', () => {
    let got = 0;
    const splitter = createLineSplitter((line) => (got = line.length));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 64; i++) splitter.push(chunk);
    splitter.push(Buffer.from('\n'));
    expect(got).toBe(64 * 64 * 1024);
  });
});

describe('glob', () => {
  it('matches * and ? and escapes everything else', () => {
    expect(compileGlob('git*')('github')).toBe(true);
    expect(compileGlob('a.c')('abc')).toBe(false);
    expect(compileGlob('v?')('v1')).toBe(true);
    expect(compileGlob('v?')('v12')).toBe(false);
    expect(compileGlob('(x)+')('(x)+')).toBe(true);
  });
});
