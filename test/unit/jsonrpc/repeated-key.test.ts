import { describe, expect, it } from 'vitest';
import { repeatedKey, repeatsRoutingKey, repeatsTopLevelKey } from '../../../main/firewall/jsonrpc/json-scan.js';
import { cpuMilliseconds } from '../../helpers/relative-time.js';

describe('repeatedKey', () => {
  it('finds a key repeated in one object, at any depth, however it is spelled', () => {
    expect(repeatedKey('{"method":"tools/call","method":"ping"}')).toBe('method');
    expect(repeatedKey('{"params":{"arguments":{"a":[{"x":1,"x":2}]}}}')).toBe('x');
    expect(repeatedKey('{"n\\u0061me":1 , "name" :2}')).toBe('name');
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(repeatedKey(`{${many},"k7":0}`)).toBe('k7');
  });

  it('lets the same key in sibling or nested objects, and key-like text in strings, pass', () => {
    expect(repeatedKey('[{"a":1},{"a":2}]')).toBeNull();
    expect(repeatedKey('{"a":{"a":{"a":[]}},"b":{"a":1}}')).toBeNull();
    expect(repeatedKey('{"s":"{\\"a\\":1,\\"a\\":2}","t":"\\\\"}')).toBeNull();
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":{"k${i}":1}`).join(',');
    expect(repeatedKey(`{${many}}`)).toBeNull();
  });
});

describe('repeatsTopLevelKey / repeatsRoutingKey', () => {
  it('finds a key repeated in the message object itself, or in a batch member, however it is spelled', () => {
    expect(repeatsTopLevelKey('{"jsonrpc":"2.0","id":5,"result":{},"id":7,"result":{"tools":[]}}')).toBe(true);
    expect(repeatsTopLevelKey('{"id":5, "i\\u0064" :7}')).toBe(true);
    expect(repeatsTopLevelKey('[{"id":1,"result":{}},{"id":2,"method":"a","method":"b"}]')).toBe(true);
    expect(repeatsRoutingKey('{"jsonrpc":"2.0","id":5,"result":{},"id":7}')).toBe(true);
    expect(repeatsRoutingKey('{"id":5,"\\u0069d":7}')).toBe(true);
  });

  it('leaves alone keys repeated only in nested objects, and strings that merely look like keys', () => {
    const nested = JSON.stringify({ jsonrpc: '2.0', id: 5, result: { items: [{ id: 1 }, { id: 2 }], text: '"id":9,"method":"x"' } });
    expect(repeatsTopLevelKey(nested)).toBe(false);
    expect(repeatsRoutingKey(nested)).toBe(false);
    expect(repeatsRoutingKey('{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"a \\"quoted\\\\\\" word"}]}}')).toBe(false);
    expect(repeatsTopLevelKey('[{"id":1,"result":{"id":1}},5,{"id":2}]')).toBe(false);
  });

  it('reads a message with 200 000 top-level keys in one pass, not one lookup per key over all before it', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`).join(',');
    const cpu = cpuMilliseconds(() => {
      expect(repeatsTopLevelKey(`{${keys},"k199999":0}`)).toBe(true);
      expect(repeatsRoutingKey(`{"id":1,"id":2,${keys}}`)).toBe(true);
    });
    // Quadratic, this took ~33 s of CPU; now 0.16-0.19 s. In CPU time, which a busy machine
    // does not lengthen; a machine 25 times slower than this one would still pass.
    expect(cpu).toBeLessThan(5_000);
  });

  it('takes a text that is not one JSON value with nothing after it (the large-answer path asks before any parse) as repeating', () => {
    const answer = (id: number) => `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"ok"}]}}`;
    for (const text of [`${answer(5)}${answer(7)}`, `${answer(5)} ${answer(7)}`, '{"jsonrpc":"2.0","id":5,"result":{},/*x*/"id":7}', `[${answer(5)}]${answer(7)}`, `[${answer(5)} ${answer(7)}]`]) {
      expect(repeatsRoutingKey(text), text).toBe(true);
    }
    expect(repeatsRoutingKey(`${answer(5)}  \t`)).toBe(false);
    expect(repeatsTopLevelKey(`[${answer(5)}, ${answer(7)}] `)).toBe(false);
  });

  it('takes a key that does not parse (the large-answer path asks before any parse) as repeated, never throwing', () => {
    expect(repeatsRoutingKey('{"jsonrpc":"2.0","\\uZZZZ":1,"id":2,"result":{}}')).toBe(true);
  });
});
