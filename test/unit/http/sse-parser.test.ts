import { describe, expect, it } from 'vitest';
import { AnswerTooLarge } from '../../../main/firewall/http/answer-limits.js';
import { createSseParser } from '../../../main/firewall/http/sse-parser.js';
import { eightfoldGrowth, LINEAR_EIGHTFOLD } from '../../helpers/relative-time.js';

describe('the SSE reader for Streamable HTTP answers', () => {
  it('joins data lines, skips comments and ids, and copes with chunks split anywhere (including inside \\r\\n)', () => {
    const events: Array<[string, string]> = [];
    const parser = createSseParser((data, event) => events.push([data, event]));
    const text = ': keep-alive\r\nid: 7\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata:{"b":2}\n\nretry: 10\n\n';
    for (const piece of text.match(/[\s\S]{1,3}/g)!) parser.push(piece);
    parser.end();
    expect(events).toEqual([['{"a":\n1}', 'message'], ['{"b":2}', 'message']]);
  });

  it('reports a retry field of digits (the reconnection time) and ignores any other', () => {
    const asked: number[] = [];
    const parser = createSseParser(() => undefined, 1000, () => {}, '', (ms) => asked.push(ms));
    parser.push('retry: 2500\n\nretry: soon\n\nretry: -1\n\nretry: 1.5\n\nretry:700\ndata: 1\n\n');
    parser.end();
    expect(asked).toEqual([2500, 700]);
  });

  it('hands each event the last event id, kept by events without one', () => {
    const ids: string[] = [];
    const parser = createSseParser((_data, _event, id) => ids.push(id));
    parser.push('data: 1\n\nid: a-1\ndata: 2\n\ndata: 3\n\nid:b-2\ndata: 4\n\n');
    parser.end();
    expect(ids).toEqual(['', 'a-1', 'a-1', 'b-2']);
  });

  it('dispatches an event cut off by the end of the stream', () => {
    const events: string[] = [];
    const parser = createSseParser((data) => events.push(data));
    parser.push('data: {"last":true}');
    parser.end();
    expect(events).toEqual(['{"last":true}']);
  });

  it('reads a long line arriving in many chunks once, not once per chunk', () => {
    const chunk = 'x'.repeat(4096);
    const read = (chunks: number) => {
      const events: string[] = [];
      const parser = createSseParser((data) => events.push(data));
      parser.push('data: ');
      for (let i = 0; i < chunks; i++) parser.push(chunk);
      parser.push('\n\n');
      return events;
    };
    expect(read(2_000).map((data) => data.length)).toEqual([4096 * 2_000]);
    // A complexity guard, not a speed test: the quadratic reader took ~87 s for 40 MB in 4 KB
    // chunks (a remote server could stall every session of the engine), and ~64 times as long
    // for eight times the chunks; linear takes ms.
    expect(eightfoldGrowth(read, (chunks) => chunks, 250)).toBeLessThan(LINEAR_EIGHTFOLD);
  });

  it('refuses an event over the limit, whether in one line or many, and holds no more of it', () => {
    const oneLine = createSseParser(() => undefined, 1000);
    oneLine.push('data: ');
    expect(() => oneLine.push('y'.repeat(1200))).toThrow(AnswerTooLarge);
    const manyLines = createSseParser(() => undefined, 1000);
    expect(() => {
      for (let i = 0; i < 20; i++) manyLines.push(`data: ${'z'.repeat(100)}\n`);
    }).toThrow(/larger than .* it was dropped/);
    const events: string[] = [];
    const under = createSseParser((data) => events.push(data), 1000);
    under.push(`data: ${'w'.repeat(900)}\n\n`);
    expect(events[0]).toHaveLength(900);
  });

  it('drops the event being read, holding only its edges however long it grows, and reads the next one whole', () => {
    const events: string[] = [];
    const dropped: Array<[string, string, string]> = [];
    const parser = createSseParser((data) => events.push(data), 1_000_000, (head, tail, event) => dropped.push([head, tail, event]));
    parser.push('event: message\ndata: {"result":{"text":"');
    parser.drop();
    for (let i = 0; i < 100; i++) {
      parser.push('q'.repeat(4096));
      expect(parser.heldChars()).toBeLessThan(1000);
    }
    parser.push('"},"jsonrpc":"2.0","id":7}\n\ndata: {"next":true}\n\n');
    expect(dropped).toEqual([['{"result":{"text":"', expect.stringMatching(/q"\},"jsonrpc":"2\.0","id":7\}$/), 'message']]);
    expect(dropped[0]![1].length).toBeLessThanOrEqual(300);
    expect(events).toEqual(['{"next":true}']);
  });
});
