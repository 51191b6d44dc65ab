import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim, type RawShim } from '../helpers/raw-shim.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const MANIFEST = { tools: [{ name: 'read_notes', description: 'Reads notes.', inputSchema: { type: 'object', properties: {} } }] };

type Answer = { id?: unknown; result?: unknown; error?: { message: string } };

// A server stopped by `registry disable` or `contain` keeps its running shims, which refuse
// every request from then on: the calls refused are attempts all the same, and are audited.
describe('calls to a server stopped while its shim runs', () => {
  const engine = useEngine({ policy: POLICY, approve: ['disabled', 'contained', 'replaced'] });
  const auditRows = (sql: string) => JSON.parse(engine().cli(['audit', 'query', sql, '--json']).stdout) as Array<Record<string, unknown>>;
  const answersTo = (shim: RawShim, id: string) => shim.lines.map((l) => JSON.parse(l) as Answer).filter((m) => !Array.isArray(m) && m.id === id);

  async function session(server: string, extraArgs: string[] = []): Promise<RawShim> {
    const shim = rawShim(engine(), server, [process.execPath, SERVER, ...extraArgs], { MANIFEST: JSON.stringify(MANIFEST) });
    shim.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
    await waitFor(() => answersTo(shim, 'init').length === 1, 'the initialize answer');
    shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    shim.send('{"jsonrpc":"2.0","id":"before","method":"tools/call","params":{"name":"read_notes","arguments":{}}}');
    await waitFor(() => answersTo(shim, 'before').length === 1, 'the call before the stop', 8000);
    return shim;
  }

  it.each([
    ['disabled', ['registry', 'disable', 'disabled']],
    ['contained', ['contain', 'contained']],
  ])('records a DENY row for each tools/call refused after the server is %s', async (server, command) => {
    const shim = await session(server);
    try {
      // contain exits 1 where no OS keychain can be listed (as here): the server is disabled all the same.
      expect(engine().cli(command).stdout).toContain(command[0] === 'contain' ? '[1/3] disabling server' : '');
      // The shim hears of the stop shortly after; until then a call may still be decided as before.
      await waitFor(() => {
        shim.send(`{"jsonrpc":"2.0","id":"probe-${shim.lines.length}","method":"ping"}`);
        return shim.lines.some((l) => l.includes(`MCP Firewall stopped '${server}'`));
      }, 'the shim to hear of the stop');
      shim.send('{"jsonrpc":"2.0","id":"after","method":"tools/call","params":{"name":"read_notes","arguments":{"n":1}}}');
      shim.send('[{"jsonrpc":"2.0","id":"member","method":"tools/call","params":{"name":"read_notes","arguments":{"n":2}}}]');
      const refused = await waitFor(() => answersTo(shim, 'after')[0], 'the call after the stop to be refused');
      expect(refused.error?.message).toMatch(new RegExp(`^MCP Firewall stopped '${server}'`));
      await waitFor(() => shim.lines.some((l) => l.includes('"member"')), 'the batch member to be refused');
    } finally {
      shim.child.stdin!.end();
      engine().cli(['registry', 'enable', server]);
    }
    const rows = await waitFor(() => {
      const found = auditRows(`SELECT event, decision, tool_name, rule_id, reason, request_id FROM mcp_audit WHERE server_name = '${server}' AND event = 'call' AND request_id IN ('"after"', '"member"') ORDER BY id`);
      return found.length === 2 ? found : null;
    }, 'the refused calls to be audited');
    for (const row of rows) {
      expect(row).toMatchObject({ event: 'call', decision: 'DENY', tool_name: 'read_notes', rule_id: 'server-stopped' });
      expect(String(row.reason)).toMatch(new RegExp(`^MCP Firewall stopped '${server}'`));
    }
    // Pings and other requests the policy does not decide are refused, not audited as calls.
    expect(auditRows(`SELECT COUNT(*) AS n FROM mcp_audit WHERE server_name = '${server}' AND request_id LIKE '"probe-%'`)).toEqual([{ n: 0 }]);
  });

  it('stops the sessions of a launch line `registry approve --replace` dropped, and only those', async () => {
    const old = await session('replaced');
    const next = rawShim(engine(), 'replaced', [process.execPath, SERVER, 'v2'], { MANIFEST: JSON.stringify(MANIFEST) });
    try {
      // The new line is refused as drift first; the person then replaces the old one with it.
      next.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      await waitFor(() => next.lines.some((l) => l.includes('registry drift')), 'the new line to be refused');
      expect(engine().cli(['registry', 'approve', 'replaced', '--replace']).code).toBe(0);
      await waitFor(() => {
        old.send(`{"jsonrpc":"2.0","id":"probe-${old.lines.length}","method":"ping"}`);
        return old.lines.some((l) => l.includes('approved with another launch line in place of the one this session runs'));
      }, 'the old line\'s session to stop');
      const kept = await session('replaced', ['v2']);
      try {
        expect(kept.lines.some((l) => l.includes('another launch line'))).toBe(false);
      } finally {
        kept.child.stdin!.end();
      }
    } finally {
      old.child.stdin!.end();
      next.child.stdin!.end();
    }
  });
});
