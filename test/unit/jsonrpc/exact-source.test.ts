import { describe, expect, it } from 'vitest';
import { digestOf, exactDigestOf } from '../../../main/firewall/jsonrpc/canonical.js';
import { batchSources } from '../../../main/firewall/jsonrpc/json-scan.js';
import { argumentsDigest } from '../../../main/firewall/proxy/arguments-digest.js';
import { exactSource, idKey, replyIdOf } from '../../../main/firewall/jsonrpc/messages.js';

describe('exactDigestOf', () => {
  it('is the canonical digest when every number was kept as written', () => {
    const args = { b: [1, 2.5, 'x', null, { c: true }], a: -3 };
    expect(exactDigestOf(args)).toBe(digestOf(args));
  });

  it('is null when a number was rounded on parsing, however deep', () => {
    for (const text of ['{"n":9007199254740993}', '{"a":[{"b":1e400}]}', '{"z":-0}']) {
      expect(exactDigestOf(JSON.parse(text))).toBeNull();
    }
  });
});

describe('exactSource', () => {
  it('gives plain values back without reading the text', () => {
    expect(exactSource(7, 'not json', ['id'])).toBe(7);
    expect(exactSource(undefined, 'not json', ['id'])).toBeUndefined();
  });

  it('reads other values from the source, or keeps the value when it is not there', () => {
    const text = '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}';
    expect(JSON.stringify(replyIdOf(JSON.parse(text).id, text))).toBe('9007199254740993');
    expect(replyIdOf(9007199254740992, '{"jsonrpc":"2.0"}')).toBe(9007199254740992);
  });
});

describe('batchSources', () => {
  it("gives each member's own bytes", () => {
    const text = '[{"id":"\\u00e9"} , {"id":1e2}]';
    const sourceOf = batchSources(text, JSON.parse(text) as unknown[]);
    expect([sourceOf(0), sourceOf(1)]).toEqual(['{"id":"\\u00e9"}', '{"id":1e2}']);
  });

  it('falls back to re-serializing when the text does not split into the members', () => {
    const batch = [{ id: 1 }, { id: 2 }];
    const sourceOf = batchSources('[{"id":1}]', batch);
    expect([sourceOf(0), sourceOf(1)]).toEqual(['{"id":1}', '{"id":2}']);
  });
});

describe('idKey', () => {
  it('keys an exact id by the id it spells', () => {
    const text = '{"id":9007199254740993}';
    expect(idKey(replyIdOf(JSON.parse(text).id, text))).toBe(idKey(9007199254740993));
  });

  it('does not take an object a peer sent as its id for one of ours', () => {
    expect(() => idKey({} as never)).not.toThrow();
    expect(idKey({ rawJSON: '5' } as never)).not.toBe(idKey(5));
  });
});

describe('argumentsDigest', () => {
  const call = (args: string) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":${args}}}`;
  const digest = (args: string) => argumentsDigest(JSON.parse(args), call(args));

  it('tells apart numbers JSON.parse reads as one, which a server parsing decimals exactly does not', () => {
    for (const [a, b] of [['{"amount":0.1}', '{"amount":0.10000000000000000001}'], ['{"amount":4503599627370498}', '{"amount":4503599627370497.5}'], ['{"n":[1.5]}', '{"n":[1.50]}']]) {
      expect(digest(a!).argsDigest, b).not.toBe(digest(b!).argsDigest);
      expect(digest(b!).argumentsSource, b).toBe(b);
    }
  });

  it('stays canonical (key order aside) for numbers written as read, fractions included', () => {
    expect(digest('{"b":0.5,"a":[1,-2.25e-7,"0.10000000000000000001"]}').argsDigest).toBe(digest('{"a":[1,-2.25e-7,"0.10000000000000000001"],"b":0.5}').argsDigest);
    expect(digest('{"b":0.5}')).toEqual({ argsDigest: digestOf({ b: 0.5 }) });
  });
});
