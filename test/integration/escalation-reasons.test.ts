import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const WEB = join(FIXTURES, 'servers', 'web-reader-server.mjs');
const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
const POLICY = 'version: v1\nguards:\n  retrieval_heavy_calls: 2\nrules: []\n';

type Pending = { id: string; ruleId: string; reason: string };

// A call with several findings: one that asks every time (a write after a retrieval-heavy
// stretch) must not be hidden behind another (DLP, untrusted text) that a grant may cover.
describe('a call with more than one finding', () => {
  const engine = useEngine({ policy: POLICY, approve: ['web'] });
  const pending = () => waitFor(async () => ((await engine().api('GET', '/approvals')).body as Pending[])[0], 'the call to wait for approval');

  it('asks every time after a retrieval-heavy stretch though its secret was allowed always, and tells both reasons', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    const note = { name: 'save_note', arguments: { text: `token=${GITHUB_TOKEN}` } };
    try {
      await conn.client.listTools();
      const first = conn.client.callTool(note);
      const leak = await pending();
      expect(leak.ruleId).toBe('dlp-arguments');
      expect((await engine().api('POST', `/approvals/${leak.id}/allow`, { scope: 'always' })).status).toBe(200);
      expect(JSON.stringify((await first).content)).toContain('save_note done');

      for (const url of ['https://a.example', 'https://b.example']) await conn.client.callTool({ name: 'fetch_page', arguments: { url } });
      const again = settled(conn.client.callTool(note));
      const asked = await pending();
      expect(asked.ruleId).toBe('taint-retrieval-heavy');
      expect(asked.reason).toContain('untrusted results');
      expect(asked.reason).toContain('github-token');
      expect((await engine().api('POST', `/approvals/${asked.id}/allow`, { scope: 'always' })).status).toBe(409);
      await denyAndExpectDenied(engine(), asked.id, again);
    } finally {
      await conn.close();
    }
  });

  it('names the retrieval-heavy stretch, not only the untrusted text the arguments carry', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    try {
      await conn.client.listTools();
      let page = '';
      for (const url of ['https://a.example', 'https://b.example']) {
        page = (((await conn.client.callTool({ name: 'fetch_page', arguments: { url } })).content) as Array<{ text: string }>)[0]!.text;
      }
      const tainted = settled(conn.client.callTool({ name: 'save_note', arguments: { text: `Note: ${page}` } }));
      const asked = await pending();
      expect(asked.ruleId).toBe('taint-retrieval-heavy');
      expect(asked.reason).toContain("untrusted tool 'fetch_page'");
      await denyAndExpectDenied(engine(), asked.id, tainted);
    } finally {
      await conn.close();
    }
  });
});
