import { describe, expect, it } from 'vitest';
import { sniffEdges, sniffResultId } from '../../../main/firewall/jsonrpc/result-sniff.js';

const big = 'x'.repeat(3000);

describe('sniffResultId', () => {
  it('reads the id from the end of the SDK layout and from the start of the usual one', () => {
    expect(sniffResultId(JSON.stringify({ result: { content: [{ type: 'text', text: big }] }, jsonrpc: '2.0', id: 42 }))).toBe(42);
    expect(sniffResultId(JSON.stringify({ result: { text: big }, jsonrpc: '2.0', id: 'req-7' }))).toBe('req-7');
    expect(sniffResultId(JSON.stringify({ jsonrpc: '2.0', id: -3, result: { text: big } }))).toBe(-3);
    // A string id that looks like a number stays a string, as clients correlate by type.
    expect(sniffResultId(JSON.stringify({ jsonrpc: '2.0', id: '42', result: { text: big } }))).toBe('42');
  });

  it('is not fooled by an id inside the result', () => {
    // The result's own text ends in what looks like an id member, escaped as JSON requires.
    expect(sniffResultId(JSON.stringify({ result: { text: `${big},"id":5}` }, jsonrpc: '2.0', id: 9 }))).toBe(9);
    expect(sniffResultId(JSON.stringify({ result: { nested: { id: 5 } }, jsonrpc: '2.0' }))).toBeUndefined();
    expect(sniffResultId(JSON.stringify({ result: { text: big, id: 5 } }))).toBeUndefined(); // not a top-level object ending in id
  });

  it('gives up on layouts it cannot be sure of, so the caller parses', () => {
    expect(sniffResultId(JSON.stringify({ result: {}, jsonrpc: '2.0', id: 'a\\b' }))).toBeUndefined(); // escapes in the id
    expect(sniffResultId(JSON.stringify({ result: {}, jsonrpc: '2.0', id: 1e21 }))).toBeUndefined();
    expect(sniffResultId(JSON.stringify({ result: {}, jsonrpc: '2.0', id: 1 }, null, 1))).toBeUndefined(); // pretty-printed
    expect(sniffResultId(JSON.stringify({ id: 1, jsonrpc: '2.0', result: {} }))).toBeUndefined();
    expect(sniffResultId(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: 1, message: big } }))).toBeUndefined();
    expect(sniffResultId(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: {} }))).toBeUndefined();
  });

  it('never disagrees with JSON.parse on generated messages', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pieces = ['"id":', ',', '}', '{', '"', '\\"', 'id', ':', '5', ' ', 'x'];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + rand(12) }, () => pieces[rand(pieces.length)]).join('');
      const id = rand(3) === 0 ? `s${rand(100)}` : rand(1000);
      const nested = rand(2) === 0 ? { id: rand(9), text } : { text };
      const message = rand(2) === 0 ? { result: nested, jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result: nested };
      const line = JSON.stringify(message);
      const sniffed = sniffResultId(line);
      if (sniffed !== undefined) expect(sniffed).toStrictEqual((JSON.parse(line) as { id: unknown }).id);
      else throw new Error(`gave up on a plain layout: ${line}`);
    }
  });
});

describe('sniffEdges', () => {
  it('tells a request from a response, and reads its id, from the start or the end', () => {
    expect(sniffEdges('{"jsonrpc":"2.0","id":12,"result":{"x":', 'whatever')).toEqual({ kind: 'response', id: 12 });
    expect(sniffEdges('{"jsonrpc":"2.0","id":"a-1","method":"sampling/createMessage"', '')).toEqual({ kind: 'request', id: 'a-1' });
    expect(sniffEdges('{"method":"tools/call","params":{"arguments":{"text":"qqq', 'qqq"}},"jsonrpc":"2.0","id":3}')).toEqual({ kind: 'request', id: 3 });
    expect(sniffEdges('{"result":{"content":[{"text":"hhh', 'hhh"}]},"jsonrpc":"2.0","id":4}')).toEqual({ kind: 'response', id: 4 });
  });

  it('says nothing of a notification, an unknown layout, or an id inside a nested object', () => {
    expect(sniffEdges('{"method":"notifications/message","params":{"data":"', '"}}')).toEqual({ kind: 'other' });
    expect(sniffEdges('{"method":"x","params":{', '"other":1,"id":5}}')).toEqual({ kind: 'other' });
    expect(sniffEdges('{"params":{"a":', '"b"},"jsonrpc":"2.0","id":6}')).toEqual({ kind: 'other' });
  });
});
