import { beforeEach, describe, expect, it, vi } from 'vitest';
import { inspectResultLine } from '../../../main/firewall/output/verdict.js';

// Counts the detectors' runs (one per string scanned) and the reads with source text (a
// reviver costs a plain parse about five times over); each still does the real work.
const runs = vi.hoisted(() => ({ detect: 0, keepingNumbers: 0 }));
vi.mock('../../../main/firewall/jsonrpc/exact-numbers.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../main/firewall/jsonrpc/exact-numbers.js')>();
  return { ...real, parseKeepingNumbers: (text: string) => (runs.keepingNumbers++, real.parseKeepingNumbers(text)) };
});
vi.mock('../../../main/firewall/output/scanner.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../main/firewall/output/scanner.js')>();
  return {
    ...real,
    createScanner: (...args: Parameters<typeof real.createScanner>) => {
      const s = real.createScanner(...args);
      return { ...s, detect: (text: string) => (runs.detect++, s.detect(text)) };
    },
  };
});

const TOKEN = 'ghp_R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A2b3c4d';
/** A result the output stage rewrites, its rows' scores written `score`. */
const result = (score: string) =>
  `{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"note ${TOKEN}"}],"structuredContent":{"rows":[` +
  [0, 1, 2].map((i) => `{"name":"item ${i}","note":"row ${i}","score":${score}}`).join(',') +
  ']}}}';

describe('a result the output stage rewrites', () => {
  beforeEach(() => {
    runs.detect = 0;
    runs.keepingNumbers = 0;
  });

  it('is not read again with source text when every number reads back as written', () => {
    const v = inspectResultLine(result('0.5'));
    expect(v.action).toBe('REDACT');
    expect(JSON.stringify(v.redacted)).toContain('"score":0.5');
    expect(runs.keepingNumbers).toBe(0);
  });

  it('holding a number written otherwise (1.0) is scanned once, not twice, and keeps it', () => {
    inspectResultLine(result('0.5'));
    const once = runs.detect;
    runs.detect = 0;
    const v = inspectResultLine(result('1.0'));
    expect(v.action).toBe('REDACT');
    expect(JSON.stringify(v.redacted)).not.toContain(TOKEN);
    expect(JSON.stringify(v.redacted)).toContain('{"name":"item 2","note":"row 2","score":1.0}');
    expect(runs.detect).toBe(once);
  });

  it('keeps numbers under a key it redacted, still scanning once', () => {
    const byOwner = (score: string) => `{"jsonrpc":"2.0","id":5,"result":{"byOwner":{"jane.doe@example.com":{"score":${score}},"b":[${score},"${TOKEN}"]}}}`;
    inspectResultLine(byOwner('0.5'));
    const once = runs.detect;
    runs.detect = 0;
    const out = JSON.stringify(inspectResultLine(byOwner('1.0')).redacted);
    expect(out).toBe('{"jsonrpc":"2.0","id":5,"result":{"byOwner":{"[REDACTED:email]":{"score":1.0},"b":[1.0,"[REDACTED:github-token]"]}}}');
    expect(runs.detect).toBe(once);
  });

  it('keeps numbers in an object whose keys are array indices (its key order is not as written)', () => {
    const line = `{"jsonrpc":"2.0","id":5,"result":{"m":{"jane.doe@example.com":{"score":1.0},"7":{"n":2.50},"a":[1.0,"${TOKEN}"]}}}`;
    const v = inspectResultLine(line);
    expect(v.action).toBe('REDACT');
    expect(JSON.stringify(v.redacted)).toBe('{"jsonrpc":"2.0","id":5,"result":{"m":{"7":{"n":2.50},"[REDACTED:email]":{"score":1.0},"a":[1.0,"[REDACTED:github-token]"]}}}');
  });

  it('that repeats a key keeps its numbers as written, read once with source text', () => {
    const v = inspectResultLine('{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"ok","text":"ok"}],"structuredContent":{"n":1.0,"m":9007199254740993}}}');
    expect(v.action).toBe('PASS');
    expect(JSON.stringify(v.reparsed)).toContain('"structuredContent":{"n":1.0,"m":9007199254740993}');
    expect(runs.keepingNumbers).toBe(1);
  });
});
