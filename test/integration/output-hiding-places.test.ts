import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
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
});
