import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../../main/firewall/http/sse-parser.js';

describe('the SSE reader for Streamable HTTP answers', () => {
  it('joins data lines, skips comments and ids, and copes with chunks split anywhere (including inside \\r\\n)', () => {
    const events: Array<[string, string]> = [];
    const parser = createSseParser((data, event) => events.push([data, event]));
    const text = ': keep-alive\r\nid: 7\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata:{"b":2}\n\nretry: 10\n\n';
    for (const piece of text.match(/[\s\S]{1,3}/g)!) parser.push(piece);
    parser.end();
    expect(events).toEqual([['{"a":\n1}', 'message'], ['{"b":2}', 'message']]);
  });

  it('dispatches an event cut off by the end of the stream', () => {
    const events: string[] = [];
    const parser = createSseParser((data) => events.push(data));
    parser.push('data: {"last":true}');
    parser.end();
    expect(events).toEqual(['{"last":true}']);
  });
});
