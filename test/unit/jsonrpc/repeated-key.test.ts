import { describe, expect, it } from 'vitest';
import { repeatedKey } from '../../../main/firewall/jsonrpc/json-scan.js';

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
