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

  it('scans a batch member that is no object', () => {
    const verdict = inspectResultLine(`[{"jsonrpc":"2.0","id":1,"result":{}},"key ${AWS_KEY}"]`);
    expect(verdict.findings).toEqual([expect.objectContaining({ type: 'aws-access-key-id', path: '[1]' })]);
    expect(verdict.redacted).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }, 'key [REDACTED:aws-access-key-id]']);
  });
});
