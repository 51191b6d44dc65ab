import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim, type RawShim } from '../helpers/raw-shim.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const READ_NOTES = { name: 'read_notes', description: 'Reads notes.', inputSchema: { type: 'object', properties: {} } };

type Answer = { id?: unknown; result?: { tools?: unknown[] }; error?: { message: string } };

// A tools/list whose `tools` holds entries that are no tool object: the pins check objects,
// so anything else must not reach the client as though it had been checked.
describe('a tool list with entries that are not objects', () => {
  const engine = useEngine({ policy: POLICY, approve: ['loose', 'nulls'] });
  const answerTo = (shim: RawShim, id: string) => shim.lines.map((l) => JSON.parse(l) as Answer).find((m) => m.id === id);
  const protocolRows = (server: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT reason FROM mcp_audit WHERE event = 'protocol' AND server_name = '${server}'`, '--json']).stdout) as Array<{ reason: string }>;

  async function listTools(server: string, tools: unknown[]): Promise<{ shim: RawShim; answer: Answer }> {
    const shim = rawShim(engine(), server, [process.execPath, SERVER], { MANIFEST: JSON.stringify({ tools: [], rawToolsResult: JSON.stringify({ tools }) }) });
    shim.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
    await waitFor(() => answerTo(shim, 'init'), 'the initialize answer');
    shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    shim.send('{"jsonrpc":"2.0","id":"list","method":"tools/list","params":{}}');
    return { shim, answer: await waitFor(() => answerTo(shim, 'list'), 'the tools/list answer') };
  }

  it('drops a bare string or number from the list the client sees, records it, and refuses a call to the string', async () => {
    const { shim, answer } = await listTools('loose', [READ_NOTES, 'delete_all', 7]);
    try {
      expect(answer.result?.tools).toEqual([READ_NOTES]);
      shim.send('{"jsonrpc":"2.0","id":"call","method":"tools/call","params":{"name":"delete_all","arguments":{}}}');
      const refused = await waitFor(() => answerTo(shim, 'call'), 'the call to be answered');
      expect(refused.error?.message).toMatch(/never listed it/);
    } finally {
      shim.child.stdin!.end();
    }
    const reason = 'server listed 2 entries in tools/list that are not an object (the first: a string); not shown to the client';
    await waitFor(() => protocolRows('loose').some((r) => r.reason === reason), 'the protocol row');
  });

  it('shows the tools of a list that also holds a null, rather than failing the whole check', async () => {
    const { shim, answer } = await listTools('nulls', [null, READ_NOTES]);
    try {
      expect(answer.error).toBeUndefined();
      expect(answer.result?.tools).toEqual([READ_NOTES]);
      shim.send('{"jsonrpc":"2.0","id":"call","method":"tools/call","params":{"name":"read_notes","arguments":{}}}');
      const ran = await waitFor(() => answerTo(shim, 'call'), 'the call to be answered');
      expect(JSON.stringify(ran.result)).toContain('read_notes ran');
    } finally {
      shim.child.stdin!.end();
    }
    const reason = 'server listed 1 entry in tools/list that is not an object (the first: null); not shown to the client';
    await waitFor(() => protocolRows('nulls').some((r) => r.reason === reason), 'the protocol row');
  });
});
