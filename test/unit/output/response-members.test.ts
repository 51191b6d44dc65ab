import { describe, expect, it } from 'vitest';
import { inspectResultLine } from '../../../main/firewall/output/index.js';

// The shim forwards a PASS as the raw line: whatever of it the scan skips reaches the client.
const AWS_KEY = 'AKIAIOSFODNN7EXAMPL3';

describe('every member of a response is scanned, not only result and error', () => {
  it('redacts a top-level key beside result', () => {
    const verdict = inspectResultLine(`{"jsonrpc":"2.0","id":1,"result":{"content":[]},"debug":"key ${AWS_KEY}"}`);
    expect(verdict.action).toBe('REDACT');
    expect(verdict.findings).toEqual([expect.objectContaining({ type: 'aws-access-key-id', path: 'debug' })]);
    expect(verdict.redacted).toMatchObject({ id: 1, debug: 'key [REDACTED:aws-access-key-id]' });
  });

  it('redacts a secret in the name of a top-level key, two such names kept apart', () => {
    const gh = 'ghp_R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A2b3c4d';
    const verdict = inspectResultLine(`{"jsonrpc":"2.0","id":8,"result":{"content":[{"type":"text","text":"ok"}]},"${gh}":true,"${AWS_KEY}":{"n":1},"${gh.replace('A2b', 'B2b')}":2}`);
    expect(verdict.action).toBe('REDACT');
    expect(verdict.findings.map((f) => [f.type, f.path])).toEqual([
      ['github-token', '<key>'], ['aws-access-key-id', '<key>'], ['github-token', '<key>'],
    ]);
    const out = JSON.stringify(verdict.redacted);
    expect(out).not.toContain(gh.slice(4));
    expect(out).not.toContain(AWS_KEY);
    expect(verdict.redacted).toEqual({
      jsonrpc: '2.0', id: 8, result: { content: [{ type: 'text', text: 'ok' }] },
      '[REDACTED:github-token]': true, '[REDACTED:aws-access-key-id]': { n: 1 }, '[REDACTED:github-token]#2': 2,
    });
    // In a batch member too, under the member's path.
    const batch = inspectResultLine(`[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{},"${gh}":1}]`);
    expect(batch.findings.map((f) => [f.type, f.path])).toEqual([['github-token', '[1].<key>']]);
    expect(JSON.stringify(batch.redacted)).not.toContain(gh.slice(4));
  });

  it('scans a batch member that is no object', () => {
    const verdict = inspectResultLine(`[{"jsonrpc":"2.0","id":1,"result":{}},"key ${AWS_KEY}"]`);
    expect(verdict.findings).toEqual([expect.objectContaining({ type: 'aws-access-key-id', path: '[1]' })]);
    expect(verdict.redacted).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }, 'key [REDACTED:aws-access-key-id]']);
  });
});
