import { describe, expect, it } from 'vitest';
import { inspectArguments, inspectResultLine } from '../../../main/firewall/output/index.js';
import { githubStyleToken } from './helpers.js';

// A tool that returns JSON as its text: the text still holds that JSON's escapes after the
// message is parsed, and the detectors must see through them.
const line = (text: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } });
const textOf = (v: ReturnType<typeof inspectResultLine>) =>
  (v.redacted as { result: { content: Array<{ text: string }> } }).result.content[0]!.text;
const TOKEN = githubStyleToken('ghp_', 'R4nd0mB0dyTh1rtyCh4rsAbCdEfGhI');

describe('secrets behind the escapes of JSON-as-text', () => {
  it('finds a token that opens a line of the inner JSON (`\\n` glued to it)', () => {
    const v = inspectResultLine(line(JSON.stringify({ stdout: `tokens:\n${TOKEN}\nAKIAQ3EGRTXK5ZB7NW4M\n4111 1111 1111 1111\nDE89 3704 0044 0532 0130 00` })));
    expect(v.action).toBe('REDACT');
    expect(v.findings.map((f) => f.type)).toEqual(['github-token', 'aws-access-key-id', 'credit-card', 'iban']);
    const text = textOf(v);
    // Redacted in place: the escapes around the spans are kept, the inner JSON still parses.
    expect(JSON.parse(text)).toEqual({ stdout: 'tokens:\n[REDACTED:github-token]\n[REDACTED:aws-access-key-id]\n[REDACTED:credit-card]\n[REDACTED:iban]' });
  });

  it('finds a token after a Go-style `\\u003e` escape', () => {
    const inner = JSON.stringify({ html: `<b>${TOKEN}</b>` }).replace(/[<>]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    const v = inspectResultLine(line(inner));
    expect(v.findings.map((f) => f.type)).toEqual(['github-token']);
    expect(textOf(v)).toBe('{"html":"\\u003cb\\u003e[REDACTED:github-token]\\u003c/b\\u003e"}');
  });

  it('finds URLs whose slashes a PHP-style encoder wrote as `\\/`', () => {
    const inner = JSON.stringify({
      hook: 'https://hooks.slack.com/services/T04ABCDEF/B05GHIJKL/q8LmPwR3tYvBn7KcXdFgHsJa',
      db: 'postgres://app_admin:Xk9vQ2mLp7Rz@db.prod.internal:5432/orders',
    }).replace(/\//g, '\\/');
    const v = inspectResultLine(line(inner));
    expect(v.findings.map((f) => f.type)).toEqual(['slack-webhook', 'database-connection-string']);
    expect(textOf(v)).not.toContain('Xk9vQ2mLp7Rz');
    expect(textOf(v)).not.toContain('q8LmPwR3tYvBn7KcXdFgHsJa');
    expect(() => JSON.parse(textOf(v))).not.toThrow();
  });

  it('finds a secret whose chars were all written as `\\uXXXX`', () => {
    const inner = `{"k":"${[...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`;
    const v = inspectResultLine(line(inner));
    expect(v.findings.map((f) => f.type)).toEqual(['github-token']);
    expect(textOf(v)).toBe('{"k":"[REDACTED:github-token]"}');
  });

  it('sees through escapes in tool arguments too', () => {
    const v = inspectArguments({ body: JSON.stringify({ note: `x\n${TOKEN}` }) });
    expect(v.findings.map((f) => f.type)).toEqual(['github-token']);
  });

  it('passes escaped text that holds nothing', () => {
    const inner = JSON.stringify({ path: 'C:\\new\\temp\\u1234x', msg: 'line one\nline two\tcol "quoted" \u00e9 <a href="/x">' });
    expect(inspectResultLine(line(inner.replace(/\//g, '\\/'))).action).toBe('PASS');
  });
});
