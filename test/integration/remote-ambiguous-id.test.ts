import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../main/firewall/registry/registry.js';
import { waitFor } from '../helpers/engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from '../helpers/in-process-engine.js';
import { startHeaderServer, type RemoteServer } from '../helpers/remote-server.js';

// DESIGN §6 with a read-only credential beside the write one: the interposer's relay tells
// the upstream adapter each tools/call's class by its JSON-RPC id (relay-session.ts). Two
// calls in flight under one id could not be told apart there. The HTTP session refuses a POST
// that repeats one (400) and the call path refuses a second call under one, so each call goes
// with its own token (relay-session still sends an ambiguous pair with the read token, should
// one ever get that far). Once answered the id is forgotten, and a later write under it
// carries the write token again. Driven as a client would, over raw HTTP: the SDK client
// never reuses an id.

const WRITE = 'Bearer write-token';
const READ = 'Bearer read-only-token';
/** Everything allowed (a write is sent at once, nobody is asked); update-note is the write. */
const POLICY = `version: v1
defaults:
  decision: ALLOW
action_classes:
  - match: { mcp.tool: ["update-note"] }
    class: write
  - match: { mcp.tool: ["get-seen-headers"] }
    class: read
rules: []
`;

type Seen = { method: string; authorization: string | null; rpc: string | null };

describe('two tools/call in flight under one JSON-RPC id (remote server with a read-only credential)', () => {
  let running: InProcessEngine;
  let remote: RemoteServer;

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-ambiguous-id-', { secretEnv: async () => ({ AUTHORIZATION: WRITE, AUTHORIZATION_READ: READ }) });
    writeFileSync(running.engine.policy.file, POLICY);
    expect(running.engine.policy.reload()).toBe(true);
    remote = await startHeaderServer();
    approveServer(running.engine.registry, running.engine.audit, 'headers', 'test', remoteFingerprint(remote.url));
  });
  afterAll(async () => {
    await remote?.stop();
    await running?.close();
  });

  const seen = async () => (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Seen[];
  /** The tools/call requests the server got after the first `mark` requests, once there are `count` of them. */
  const callsSince = (mark: number, count: number) =>
    waitFor(async () => {
      const calls = (await seen()).slice(mark).filter((s) => s.rpc?.startsWith('tools/call'));
      return calls.length >= count && calls;
    }, `${count} tools/call at the server`);
  const call = (id: number, name: string, text?: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: text === undefined ? {} : { text } } });

  /** A raw Streamable HTTP client of the interposer: JSON answers, one session. */
  const session = () => {
    let id: string | null = null;
    const post = async (body: unknown) => {
      const response = await fetch(running.endpoint('headers'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2025-06-18', ...(id ? { 'mcp-session-id': id } : {}) },
        body: JSON.stringify(body),
      });
      id = response.headers.get('mcp-session-id') ?? id;
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
    };
    const close = async () => {
      if (id) await fetch(running.endpoint('headers'), { method: 'DELETE', headers: { 'mcp-session-id': id } });
    };
    return { post, close };
  };

  it('refuses a POST that repeats an id in flight, and sends each call alone with its own token', async () => {
    const client = session();
    try {
      const init = await client.post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ambiguous-test', version: '1' } } });
      expect(init.status).toBe(200);
      expect((await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
      expect(await client.post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).toMatchObject({ status: 200, body: { result: { tools: expect.any(Array) as unknown } } });

      // Alone, each call goes with the token its class calls for (the split is in force).
      let mark = (await seen()).length;
      expect(await client.post(call(3, 'update-note', 'alone'))).toMatchObject({ status: 200, body: { id: 3, result: { content: [{ text: 'noted' }] } } });
      expect(await client.post(call(4, 'get-seen-headers'))).toMatchObject({ status: 200, body: { id: 4, result: expect.anything() as unknown } });
      expect(await callsSince(mark, 2)).toEqual([
        { method: 'POST', authorization: WRITE, rpc: 'tools/call update-note', session: expect.any(String) as unknown },
        { method: 'POST', authorization: READ, rpc: 'tools/call get-seen-headers', session: expect.any(String) as unknown },
      ]);

      // A write then a read under id 7 in one batch: refused whole, nothing sent. Ids must be
      // unique among requests in flight; answers could not find their call otherwise.
      mark = (await seen()).length;
      const batch = await client.post([call(7, 'update-note', 'first'), call(7, 'get-seen-headers')]);
      expect(batch).toMatchObject({ status: 400, body: { error: { code: -32600, message: expect.stringContaining('already in use by a request in flight') as unknown } } });
      // Two writes under id 9, each alone: sent one at a time, each with the write token.
      await client.post(call(9, 'update-note', 'one'));
      await client.post(call(9, 'update-note', 'two'));
      expect((await callsSince(mark, 2)).map((s) => [s.rpc, s.authorization])).toEqual([['tools/call update-note', WRITE], ['tools/call update-note', WRITE]]);

      // Both lookups done, ids 7 and 9 are forgotten: a write reusing one carries the write token again.
      mark = (await seen()).length;
      await client.post(call(7, 'update-note', 'later'));
      await client.post(call(9, 'update-note', 'later'));
      expect((await callsSince(mark, 2)).map((s) => [s.rpc, s.authorization])).toEqual([
        ['tools/call update-note', WRITE],
        ['tools/call update-note', WRITE],
      ]);
    } finally {
      await client.close();
    }
  });
});
