import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { ASK_FOR_WRITES_RULE } from '../helpers/policies.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const WEB = join(FIXTURES, 'servers', 'web-reader-server.mjs');
const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
// Writes already need a person here, so a taint or DLP finding does not change the decision:
// only what an earlier "session" answer may stand in for.
const POLICY = `version: v1
rules:
${ASK_FOR_WRITES_RULE}`;

interface Pending {
  id: string;
  tool: string;
  ruleId: string;
  reason: string;
}

describe('a "session" grant for a tool does not cover a call the guards or DLP escalated', () => {
  const engine = useEngine({ policy: POLICY, approve: ['web'] });
  const pendings = async () => (await engine().api('GET', '/approvals')).body as Pending[];

  /** Answers a first, clean save_note with "allow for this session". */
  async function grantSession(conn: ShimConnection): Promise<void> {
    const first = conn.client.callTool({ name: 'save_note', arguments: { text: 'meeting at 10' } });
    const request = await waitFor(async () => (await pendings())[0], 'the first save_note to wait');
    expect((await engine().api('POST', `/approvals/${request.id}/allow`, { scope: 'session' })).status).toBe(200);
    await first;
    // The grant stands in for the next clean call.
    const clean = await conn.client.callTool({ name: 'save_note', arguments: { text: 'lunch at 12' } });
    expect(JSON.stringify(clean.content)).toContain('save_note done');
  }

  it('asks again for a write carrying text from an untrusted read', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    try {
      await conn.client.listTools();
      await grantSession(conn);
      const page = await conn.client.callTool({ name: 'fetch_page', arguments: { url: 'https://docs.example' } });
      const text = (page.content as Array<{ text: string }>)[0]!.text;
      const tainted = settled(conn.client.callTool({ name: 'save_note', arguments: { text: `Note: ${text}` } }));
      const pending = await waitFor(async () => (await pendings())[0], 'the tainted write to wait for a person');
      // The policy's rule still names the verdict; the approver is told the finding too.
      expect(pending).toMatchObject({ tool: 'save_note', ruleId: 'ask-for-writes', reason: expect.stringContaining("untrusted tool 'fetch_page'") });
      await denyAndExpectDenied(engine(), pending.id, tainted);
    } finally {
      await conn.close();
    }
  });

  it('asks again for a write whose arguments carry a secret', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    try {
      await conn.client.listTools();
      await grantSession(conn);
      const leaking = settled(conn.client.callTool({ name: 'save_note', arguments: { text: `token=${GITHUB_TOKEN}` } }));
      const pending = await waitFor(async () => (await pendings())[0], 'the leaking write to wait for a person');
      expect(pending).toMatchObject({ tool: 'save_note', ruleId: 'ask-for-writes', reason: expect.stringContaining('github-token') });
      await denyAndExpectDenied(engine(), pending.id, leaking);
    } finally {
      await conn.close();
    }
  });
});
