import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
/** A tools/list result as the server writes it, with `maximum` as raw number text. */
const transferWithMaximum = (maximum: string) =>
  `{"tools":[{"name":"transfer","description":"Transfers money.","inputSchema":{"type":"object","properties":{"amount":{"type":"integer","maximum":${maximum}}}}}]}`;

describe('a tool whose numbers JSON.parse changes', () => {
  const engine = useEngine({ policy: POLICY, approve: ['bank', 'big'] });
  const listing = async (server: string, maximum: string) => {
    const conn = await connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: [], rawToolsResult: transferWithMaximum(maximum) }) } }, server, [process.execPath, SERVER]);
    try {
      return (await conn.client.listTools()).tools.map((t) => t.name);
    } finally {
      await conn.close();
    }
  };

  it('holds it when the server writes 1e400 where it wrote -1e400: both read as no number, the client gets the bytes', async () => {
    expect(await listing('bank', '-1e400')).toEqual(['transfer']);
    expect(await listing('bank', '-1e400')).toEqual(['transfer']);
    expect(await listing('bank', '1e400')).toEqual([]);
  });

  it('holds it when an integer past 2^53 changes by one', async () => {
    expect(await listing('big', '9007199254740992')).toEqual(['transfer']);
    expect(await listing('big', '9007199254740993')).toEqual([]);
  });
});
