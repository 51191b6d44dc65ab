import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { connectModern } from '../helpers/modern-client.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = [process.execPath, join(FIXTURES, 'servers', 'modern-server.mjs')];
// Reads run, everything else asks: the shipped policy's shape, without its approvals in the way.
const POLICY = 'version: v1\nrules: []\n';
const PV = 'io.modelcontextprotocol/protocolVersion';
const INFO = 'io.modelcontextprotocol/clientInfo';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';

// The variables clients set in their servers' env, by which the shim would name the client otherwise.
const NO_CLIENT_HINTS = { CLAUDECODE: '', CURSOR_TRACE_ID: '', WINDSURF_EXTENSION_ID: '', ZED_TERM: '', GEMINI_CLI: '', CODEX_SANDBOX: '', TERM_PROGRAM: '' };

type Logged = { dir: 'C' | 'S'; msg: Record<string, unknown> };

// MCP 2026-07-28 has no initialize: the firewall learns the session, the client and what to
// send the server from the envelope every request carries.
describe('a 2026-07-28 client and server through the shim', () => {
  const engine = useEngine({ policy: POLICY, approve: ['modern', 'modern-auto', 'modern-legacy', 'modern-named', 'modern-drift', 'modern-told-pin', 'modern-told-auto'] });
  const logs = mkdtempSync(join(tmpdir(), 'mcpfw-modern-'));
  afterAll(() => rmSync(logs, { recursive: true, force: true }));
  let logCount = 0;
  const newLog = () => join(logs, `wire-${++logCount}.log`);
  const readLog = (file: string): Logged[] =>
    readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => ({ dir: line[0] as 'C' | 'S', msg: JSON.parse(line.slice(3)) as Record<string, unknown> }));
  const ownLists = (file: string, method: string) =>
    readLog(file).filter((l) => l.dir === 'C' && l.msg.method === method && String(l.msg.id).startsWith('mcp-firewall/')).map((l) => l.msg.params as Record<string, unknown>);
  const callRows = (server: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT client, tool_name, decision, reason FROM mcp_audit WHERE event = 'call' AND server_name = '${server}' ORDER BY id`, '--json']).stdout) as Array<{ client: string; tool_name: string; decision: string; reason: string }>;

  for (const mode of ['pin', 'auto'] as const) {
    it(`serves calls, prompts and reads, its own looks carrying the client's envelope (${mode})`, async () => {
      const log = newLog();
      const conn = await connectModern(engine(), mode === 'pin' ? 'modern' : 'modern-auto', SERVER, { mode, client: 'test-client', env: { MODERN_LOG: log } });
      try {
        expect((await conn.client.listTools()).tools.map((t) => t.name)).toContain('read_echo');
        expect(JSON.stringify((await conn.client.callTool({ name: 'read_echo', arguments: { text: 'hi' } })).content)).toContain('echo: hi');
        expect(JSON.stringify((await conn.client.getPrompt({ name: 'greet' })).messages)).toContain('hello');
        expect(JSON.stringify((await conn.client.readResource({ uri: 'notes://7' })).contents)).toContain('note notes://7');
      } finally {
        await conn.close();
      }
      const clientMeta = (readLog(log).find((l) => l.dir === 'C' && l.msg.method === 'tools/call')!.msg.params as { _meta: Record<string, unknown> })._meta;
      for (const method of ['tools/list', 'prompts/list', 'resources/templates/list']) {
        const own = ownLists(log, method);
        expect(own.length, method).toBeGreaterThan(0);
        for (const params of own) {
          expect(params._meta, method).toEqual({ [PV]: '2026-07-28', [INFO]: clientMeta[INFO], [CAPS]: clientMeta[CAPS] });
        }
      }
      expect((clientMeta[INFO] as { name: string }).name).toBe('modern-tests');
    });
  }

  it('names the client from the envelope when the config does not say', async () => {
    const conn = await connectModern(engine(), 'modern-named', SERVER, { mode: 'pin', name: 'Cursor', env: NO_CLIENT_HINTS });
    try {
      await conn.client.callTool({ name: 'read_echo', arguments: { text: 'who' } });
    } finally {
      await conn.close();
    }
    expect(callRows('modern-named')).toEqual([expect.objectContaining({ client: 'cursor', tool_name: 'read_echo', decision: 'ALLOW' })]);
  });

  it('leaves a 2025-era session of the same server as it was: initialize, and own looks without an envelope', async () => {
    const log = newLog();
    const conn = await connectThroughShim({ env: { ...engine().env, MODERN_LOG: log } }, 'modern-legacy', SERVER, { client: 'old-client' });
    try {
      expect(JSON.stringify((await conn.client.callTool({ name: 'read_echo', arguments: { text: 'old' } })).content)).toContain('echo: old');
    } finally {
      await conn.close();
    }
    const own = ownLists(log, 'tools/list');
    expect(own.length).toBeGreaterThan(0);
    for (const params of own) expect(params._meta).toBeUndefined();
  });

  for (const mode of ['pin', 'auto'] as const) {
    it(`looks again when the server says on the listen stream that its tools changed, and holds the changed one (${mode})`, async () => {
      const server = `modern-rug-${mode}`;
      expect(engine().cli(['registry', 'approve', server]).code).toBe(0);
      const conn = await connectModern(engine(), server, SERVER, { mode, client: 'test-client' });
      try {
        const subscription = await conn.client.listen({ toolsListChanged: true });
        expect((await conn.client.callTool({ name: 'read_echo', arguments: { text: 'before' } })).content).toBeDefined();
        // The server changes read_echo and says so on the stream; this client keeps its list.
        await conn.client.callTool({ name: 'shift', arguments: {} });
        await waitFor(() => conn.received.some((m) => m.method === 'notifications/tools/list_changed'), 'list_changed to reach the client');
        await waitFor(async () => {
          const answer = await conn.client.callTool({ name: 'read_echo', arguments: { text: 'after' } }).then(() => null, (error: Error) => error);
          return answer?.message.match(/manifest drift/) ? answer : null;
        }, 'the changed read_echo to be held', 5000);
        // The stream the client listens on stays open through it all.
        expect(conn.received.some((m) => m.method === 'notifications/subscriptions/acknowledged')).toBe(true);
        await subscription.close();
      } finally {
        await conn.close();
      }
    });
  }

  for (const mode of ['pin', 'auto'] as const) {
    it(`pins the instructions server/discover carries, and withholds them once they drift (${mode})`, async () => {
      const server = `modern-told-${mode}`;
      const first = await connectModern(engine(), server, SERVER, { mode, client: 'test-client' });
      try {
        expect(first.client.getInstructions()).toBe('Notes server.');
      } finally {
        await first.close();
      }
      const drifted = await connectModern(engine(), server, SERVER, { mode, client: 'test-client', env: { MODERN_VARIANT: '2' } });
      try {
        expect(drifted.client.getInstructions()).toBeUndefined();
      } finally {
        await drifted.close();
      }
      const rows = JSON.parse(engine().cli(['audit', 'query', `SELECT decision FROM mcp_audit WHERE event = 'manifest' AND server_name = '${server}' AND tool_name = 'instructions'`, '--json']).stdout) as Array<{ decision: string }>;
      expect(rows.map((r) => r.decision)).toContain('DRIFT');
    });
  }

  it('holds a tool whose description changed since the last session, for a client that never lists', async () => {
    const first = await connectModern(engine(), 'modern-drift', SERVER, { mode: 'pin', client: 'test-client' });
    try {
      await first.client.callTool({ name: 'read_echo', arguments: { text: 'one' } });
    } finally {
      await first.close();
    }
    const second = await connectModern(engine(), 'modern-drift', SERVER, { mode: 'pin', client: 'test-client', env: { MODERN_VARIANT: '2' } });
    try {
      await expect(second.client.callTool({ name: 'read_echo', arguments: { text: 'two' } })).rejects.toThrow(/manifest drift/);
    } finally {
      await second.close();
    }
  });
});
