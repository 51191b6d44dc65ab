import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { connectThroughShim } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const LEAKY = join(FIXTURES, 'servers', 'leaky-server.mjs');
const POLICY = `version: v1
action_classes:
  - match: { mcp.tool: ["leak_*"] }
    class: read
rules: []
`;
const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');

describe('secrets a server returns where the output stage must still look', () => {
  const engine = useEngine({ policy: POLICY, approve: ['leaky'] });
  const leaky = () => connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'leaky', [process.execPath, LEAKY]);

  it('redacts a token that is the key of a map in structuredContent, keeping the value under the redacted key', async () => {
    const conn = await leaky();
    try {
      const result = await conn.client.callTool({ name: 'leak_keyed', arguments: {} });
      expect(JSON.stringify(result)).not.toContain(GITHUB_TOKEN);
      expect(result.structuredContent).toEqual({ '[REDACTED:github-token]': { scopes: ['repo'] } });
    } finally {
      await conn.close();
    }
  });

  it('never passes on the copy of a repeated key it did not scan, in a result or a notification', async () => {
    // A client whose parser keeps the first copy (or that logs the raw line) would read the token.
    const shim = rawShim(engine(), 'leaky', [process.execPath, LEAKY], { FIXTURE_LEAK: GITHUB_TOKEN });
    try {
      shim.send('{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"list","method":"tools/list"}');
      shim.send('{"jsonrpc":"2.0","id":"call","method":"tools/call","params":{"name":"leak_repeated","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"call"')), 'the answer');
      expect(shim.lines.join('\n')).not.toContain(GITHUB_TOKEN);
      const answer = JSON.parse(shim.lines.find((l) => l.includes('"id":"call"'))!) as unknown;
      expect(answer).toEqual({ jsonrpc: '2.0', id: 'call', result: { content: [{ type: 'text', text: 'token hidden' }] } });
      const log = shim.lines.find((l) => l.includes('notifications/message'));
      expect(JSON.parse(log!)).toEqual({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'pushing' } });
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('redacts a token inside a percent-encoded URL, as a log line quotes a redirect', async () => {
    const conn = await leaky();
    try {
      const result = await conn.client.callTool({ name: 'leak_urlencoded', arguments: {} });
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).toBe('302 /login?next=%2Fapi%2Frepos%3Faccess_token%3D[REDACTED:github-token]');
    } finally {
      await conn.close();
    }
  });
});
