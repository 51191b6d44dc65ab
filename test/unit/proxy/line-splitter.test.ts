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
  it('drops a bare carriage return inside a line: JSON whitespace, but a line end to readers that split on it', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line.toString('utf8')));
    splitter.push(Buffer.from('{"x":\r{"id":1,"method":"tools/call"}\r,"method":"n"}\r\n{"a":\r\r1}\n'));
    expect(lines).toEqual(['{"x":{"id":1,"method":"tools/call"},"method":"n"}', '{"a":1}']);
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

describe('line splitter with a limit', () => {
  const limited = (max: number) => {
    const lines: string[] = [];
    const dropped: Array<{ head: string; tail: string; bytes: number }> = [];
    const splitter = createLineSplitter((line) => lines.push(line.toString()), {
      maxLineBytes: max,
      onOverflow: (edges, bytes) => dropped.push({ head: edges.head.toString(), tail: edges.tail.toString(), bytes }),
    });
    return { splitter, lines, dropped };
  };

  it('drops a line over the limit, reports its edges and length once it ends, and goes on with the next', () => {
    const { splitter, lines, dropped } = limited(2000);
    const big = `{"jsonrpc":"2.0","id":7,"result":"${'a'.repeat(5000)}${'z'.repeat(600)}"}`;
    const bytes = Buffer.from(`{"ok":1}\n${big}\r\n{"ok":2}\n`);
    for (let i = 0; i < bytes.length; i += 700) splitter.push(bytes.subarray(i, i + 700));
    expect(lines).toEqual(['{"ok":1}', '{"ok":2}']);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.bytes).toBe(big.length + 1); // the \r counts; it is not part of the tail
    expect(dropped[0]!.head).toBe(big.slice(0, 512));
    expect(dropped[0]!.tail).toBe(big.slice(-511)); // the last 512 bytes, less the \r
  });

  it('holds nothing of a line that never ends, and reports it at EOF', () => {
    const { splitter, lines, dropped } = limited(1024);
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    for (let i = 0; i < 200; i++) splitter.push(chunk); // 12.5 MiB, no newline
    expect(dropped).toHaveLength(0);
    expect(splitter.end()).toBeNull();
    expect(dropped).toEqual([{ head: 'b'.repeat(512), tail: 'b'.repeat(512), bytes: 200 * 64 * 1024 }]);
    expect(lines).toEqual([]);
  });

  it('drops a whole line that arrives in one chunk over the limit', () => {
    const { splitter, lines, dropped } = limited(10);
    splitter.push(Buffer.from('0123456789\n0123456789A\nshort\n'));
    expect(lines).toEqual(['0123456789', 'short']);
    expect(dropped).toEqual([{ head: '0123456789A', tail: '0123456789A', bytes: 11 }]);
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
