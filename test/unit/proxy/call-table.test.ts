import { describe, expect, it } from 'vitest';
import { CallMap, CallSet } from '../../../main/firewall/proxy/call-table.js';

// The tables start over when emptied (call-table.ts says why); they must read as a Map and a Set do.
describe('call tables', () => {
  it('CallMap: get, has, size and delete as a Map, across starting over', () => {
    const map = new CallMap<string, number>();
    expect(map.delete('a')).toBe(false);
    map.set('a', 1).set('b', 2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    // One entry left, another key: nothing is deleted, and the entry stays.
    expect(map.delete('x')).toBe(false);
    expect(map.get('b')).toBe(2);
    expect(map.delete('b')).toBe(true);
    expect(map.size).toBe(0);
    expect(map.has('b')).toBe(false);
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['c']);
    expect(map.get('c')).toBe(3);
  });

  it('CallSet: add, delete and iteration as a Set; a sweep may delete the member in hand', () => {
    const set = new CallSet<object>();
    const [a, b, c] = [{}, {}, {}];
    set.add(a).add(b).add(c);
    expect(set.delete({})).toBe(false);
    const seen: object[] = [];
    for (const member of set) {
      seen.push(member);
      expect(set.delete(member)).toBe(true);
    }
    expect(seen).toEqual([a, b, c]);
    expect(set.size).toBe(0);
    expect(set.delete(a)).toBe(false);
    set.add(b);
    expect([...set]).toEqual([b]);
    expect(set.delete(a)).toBe(false);
    expect(set.size).toBe(1);
  });
});
