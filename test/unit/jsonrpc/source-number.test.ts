import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numberSourcesIn, parseChanges, parsedWithSources, withNumberSources } from '../../../main/firewall/jsonrpc/source-number.js';
import { toolDigest } from '../../../main/firewall/manifest/digest.js';

const toolText = (maximum: string) =>
  `{"name":"transfer","description":"Transfers money.","inputSchema":{"type":"object","properties":{"amount":{"type":"integer","maximum":${maximum}}}}}`;
/** The digest the engine takes of a tool listed as `text`: its changed numbers as written. */
const digestAsListed = (text: string) => {
  const sources = numberSourcesIn(parsedWithSources(text));
  const item: unknown = JSON.parse(JSON.stringify(JSON.parse(text)));
  return toolDigest(sources ? withNumberSources(item, sources) : item);
};

describe('numbers a parse changes, digested as written', () => {
  it('tells which numbers JSON.parse reads as another value', () => {
    for (const token of ['1e400', '-1e400', '9007199254740993', '0.1000000000000000000001', '1e-400', '123456789012345678901234567890']) expect(parseChanges(token), token).toBe(true);
    for (const token of ['1', '1.0', '0.0', '1e2', '100', '0.1', '0.10', '-0', '1.5e-7', '1E21', '9007199254740992', '123456789012345680000', '-2.50']) expect(parseChanges(token), token).toBe(false);
  });

  it('gives different digests to maximums that read alike: 1e400, -1e400 and null; 2^53 and 2^53 + 1', () => {
    const digests = ['1e400', '-1e400', 'null'].map((n) => digestAsListed(toolText(n)));
    expect(new Set(digests).size).toBe(3);
    expect(digestAsListed(toolText('9007199254740993'))).not.toBe(digestAsListed(toolText('9007199254740992')));
  });

  it('keeps the digest of a tool whose numbers read exactly, however written (Python writes 1.0)', () => {
    expect(parsedWithSources(toolText('100'))).toBeNull();
    expect(numberSourcesIn(parsedWithSources(toolText('1.0')))).toBeNull();
    expect(digestAsListed(toolText('1.0'))).toBe(toolDigest(JSON.parse(toolText('1'))));
  });

  it('finds no changed number in any real server manifest, so no pin of one changes', () => {
    const dir = join(import.meta.dirname, '../../fixtures/real-manifests');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      expect(numberSourcesIn(parsedWithSources(readFileSync(join(dir, file), 'utf8'))), file).toBeNull();
    }
  });

  it('leaves the item itself as it is, and places numbers under a member named __proto__ as an own member', () => {
    const text = '{"inputSchema":{"__proto__":{"maximum":1e400}}}';
    const item = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
    const placed = withNumberSources(item, numberSourcesIn(parsedWithSources(text))!) as typeof item;
    expect(item.inputSchema!['__proto__']!.maximum).toBe(Infinity);
    expect(Object.hasOwn(placed.inputSchema!, '__proto__')).toBe(true);
    expect(placed.inputSchema!['__proto__']!.maximum).toEqual({ source: '1e400' });
  });
});
