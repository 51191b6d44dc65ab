import { describe, expect, it } from 'vitest';
import { maskedPayload } from '../../../main/firewall/api/quarantine-routes.js';

// What a reviewer sees of a held result: every finding masked, however the result carries it.
const GH = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const AWS = 'AKIA' + 'QWERTYUIOPASDFGH';
const held = (result: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 3, result });
const shown = (result: unknown) => JSON.stringify(maskedPayload(held(result)));

describe('the masked view of a held result', () => {
  it('masks a finding in text content', () => {
    const out = shown({ content: [{ type: 'text', text: `token=${GH}` }] });
    expect(out).not.toContain(GH);
    expect(out).toContain('token=');
  });

  it('shows a text resource blob decoded, its findings masked (base64 of the secret is the secret)', () => {
    const blob = Buffer.from(`GITHUB_TOKEN=${GH}\nAWS_ACCESS_KEY_ID=${AWS}\n`).toString('base64');
    const out = shown({ contents: [{ uri: 'file:///repo/.env', mimeType: 'text/plain', blob }] });
    expect(out).not.toContain(blob);
    expect(out).not.toContain(GH);
    expect(out).not.toContain(Buffer.from(GH).toString('base64').slice(0, 24));
    expect(out).toContain('GITHUB_TOKEN=');
    expect(out).toContain('blob (shown decoded)');
  });

  it('masks a finding in an object key', () => {
    const out = shown({ structuredContent: { [GH]: { owner: 'me' } } });
    expect(out).not.toContain(GH);
    expect(out).toContain('owner');
  });

  it('masks a secret split across text items', () => {
    const out = shown({ content: [{ type: 'text', text: `key ${GH.slice(0, 20)}` }, { type: 'text', text: `${GH.slice(20)} end` }] });
    expect(out).not.toContain(GH.slice(4, 20));
  });

  it('shows numbers as the server wrote them, never as the objects that keep them', () => {
    const payload = held({ content: [{ type: 'text', text: `token=${GH}` }], structuredContent: { score: 0 } }).replace('"score":0', '"score":1.0,"id":1800000000000000123');
    const out = JSON.stringify(maskedPayload(payload));
    expect(out).toBe('{"content":[{"type":"text","text":"token=[REDACTED:github-token]"}],"structuredContent":{"score":1.0,"id":1800000000000000123}}');
  });

  it('leaves a binary image alone', () => {
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]).toString('base64');
    expect(shown({ content: [{ type: 'image', mimeType: 'image/png', data }] })).toContain(data);
  });
});
