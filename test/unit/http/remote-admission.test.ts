import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { spawn as nodeSpawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpInterposer } from '../../../main/firewall/http/interposer.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { runShim } from '../../../main/firewall/proxy/shim.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { routeUrl, waitFor } from '../../helpers/engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from '../../helpers/in-process-engine.js';
import { startHeaderServer, type RemoteServer } from '../../helpers/remote-server.js';

// An engine in this process whose keychain holds AUTHORIZATION for 'headers', with the
// control API (and so the interposer) and the shim socket, as `serve` runs them.
describe('remote admission and upstream credentials (engine in process)', () => {
  let running: InProcessEngine;
  let dir: string;
  let engine: Engine;
  let remote: RemoteServer;
  const seen = async () => (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Array<{ method: string; authorization: string | null }>;

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-remote-', {
      secretEnv: async (server): Promise<Record<string, string>> =>
        server === 'headers' ? { AUTHORIZATION: 'Bearer from-the-keychain' } : server === 'split' ? { AUTHORIZATION: 'Bearer WRITE', AUTHORIZATION_READ: 'Bearer READ' } : {},
    });
    ({ dir, engine } = running);
    remote = await startHeaderServer();
    approveServer(engine.registry, engine.audit, 'headers', 'test', remoteFingerprint(remote.url));
    approveServer(engine.registry, engine.audit, 'split', 'test', remoteFingerprint(remote.url));
  });
  afterAll(async () => {
    await remote.stop();
    await running.close();
  });

  it("sends the keychain's AUTHORIZATION upstream in place of the client's own", async () => {
    const client = new Client({ name: 'cred-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(running.endpoint('headers'), { requestInit: { headers: { authorization: 'Bearer the-clients-token' } } }));
    await client.listTools(); // traffic only: an answer echoing the credential would be redacted or quarantined
    await client.close();
    const requests = await seen();
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.every((r) => r.authorization === 'Bearer from-the-keychain')).toBe(true);
  });

  it("refuses every request without this install's route key, before a session starts or anything reaches the server, and audits it", async () => {
    const before = (await seen()).length;
    const keyed = running.endpoint('split');
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'other-user', version: '1' } } });
    const post = (url: URL | string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: initialize });
    const bare = new URL(keyed.pathname, keyed);
    const wrong = new URL(keyed);
    wrong.searchParams.set('key', engine.routeKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    for (const [url, said] of [[bare, 'no route key'], [wrong, 'wrong route key'], [new URL(`${bare.pathname}/sse`, bare), 'no route key']] as const) {
      const response = await (url.pathname.endsWith('/sse') ? fetch(url, { headers: { accept: 'text/event-stream' } }) : post(url));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(`Forbidden: ${said}`);
    }
    // The official client, given the URL without its key, cannot connect either.
    await expect(new Client({ name: 'keyless', version: '1' }).connect(new StreamableHTTPClientTransport(bare))).rejects.toThrow(/403|route key/);
    expect((await seen()).length).toBe(before);
    const rows = engine.db.prepare("SELECT decision, server_name, reason FROM mcp_audit WHERE rule_id = 'route-key' ORDER BY id").all();
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({ decision: 'DENY', server_name: 'split', reason: 'a request to /mcp/split with a wrong route key was refused' });
    // With the key, the same request starts a session and reaches the server.
    const admitted = await post(keyed);
    expect(admitted.status).toBe(200);
    expect(await admitted.text()).toContain('"serverInfo"');
    await fetch(keyed, { method: 'DELETE', headers: { 'mcp-session-id': admitted.headers.get('mcp-session-id')! } });
  });

  it('refuses a URL other than the pinned one as drift, before anything reaches it', async () => {
    const before = (await seen()).length;
    const input = new PassThrough();
    const output = new PassThrough();
    let answer = '';
    output.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const moved = `http://127.0.0.1:${remote.port}/elsewhere`;
    // Exactly how the interposer starts a session (http/http-session.ts), with another URL.
    const done = runShim({
      server: 'headers', client: 'drift-test', ...remoteFingerprint(moved), env: {}, cwd: dir, input, output, log: () => {}, socketPath: engine.paths.socket,
      spawn: (() => createUpstream({ server: 'headers', url: moved })) as unknown as typeof nodeSpawn,
    });
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`);
    await waitFor(() => answer, 'the shim to answer the initialize', 20_000);
    input.end();
    expect(await done).toBe(1);
    expect(answer).toMatch(/launch line changed \(registry drift\).*url http:.*\/elsewhere/);
    expect((await seen()).length).toBe(before);
    const rows = engine.db.prepare("SELECT rule_id FROM mcp_audit WHERE server_name = 'headers' AND decision = 'DENY'").all();
    expect(rows).toEqual([{ rule_id: 'registry-drift' }]);
  });

  it('ends a session whose client went away without DELETE (the SDK sends none)', async () => {
    const interposer = createHttpInterposer(engine, { socketPath: engine.paths.socket, idleMs: 200 });
    const server = createServer((req, res) => void interposer.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = routeUrl((server.address() as AddressInfo).port, engine.routeKey, 'headers');
    const stillThere = async (sessionId: string) =>
      (await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId }, body: '{"jsonrpc":"2.0","method":"notifications/ping"}' })).status;
    try {
      const transport = new StreamableHTTPClientTransport(new URL(endpoint));
      const client = new Client({ name: 'idle-test', version: '1.0.0' });
      await client.connect(transport);
      await client.listTools(); // traffic only: an answer echoing the credential would be redacted or quarantined
      const sessionId = transport.sessionId!;
      expect(await stillThere(sessionId)).toBe(202);
      const deletesBefore = (await seen()).length;
      await client.close(); // closes its streams; no DELETE
      // Asking the session itself would keep it alive, so watch the upstream instead: a session
      // ended by the reaper ends its remote session too (a DELETE with this server's keychain
      // credential), and it is gone for the client before that DELETE is sent.
      const upstreamDeleted = async () => (await seen()).slice(deletesBefore).some((r) => r.method === 'DELETE' && r.authorization === 'Bearer from-the-keychain');
      await waitFor(upstreamDeleted, 'the idle session to be ended and its remote session deleted', 20_000);
      expect(await stillThere(sessionId)).toBe(404);
    } finally {
      interposer.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends the write token only with a call the policy classed as a write, the read token with everything else', async () => {
    const before = (await seen()).length;
    const client = new Client({ name: 'split-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(running.endpoint('split')));
    try {
      await client.callTool({ name: 'get-time-slowly', arguments: { ms: 1 } });
      // The shipped policy asks before a write: allow it as a person would.
      const write = client.callTool({ name: 'update-note', arguments: { text: 'hi' } });
      const pending = await waitFor(() => engine.approvals.list()[0], 'the write to be held for approval', 20_000);
      expect(engine.approvals.answer(pending.id, 'allow', 'once')).toBe(true);
      expect(JSON.stringify((await write).content)).toContain('noted');
    } finally {
      await client.close();
    }
    const requests = (await seen()).slice(before) as Array<{ method: string; authorization: string | null; rpc: string | null }>;
    const byRpc = (rpc: string) => requests.filter((r) => r.rpc === rpc).map((r) => r.authorization);
    expect(byRpc('tools/call update-note')).toEqual(['Bearer WRITE']);
    expect(byRpc('tools/call get-time-slowly')).toEqual(['Bearer READ']);
    expect(byRpc('initialize')).toEqual(['Bearer READ']);
    const writeTokens = requests.filter((r) => r.authorization === 'Bearer WRITE');
    expect(writeTokens.map((r) => r.rpc)).toEqual(['tools/call update-note']);
  });

  it('never pins a remote URL on a first launch: only `approve NAME --url URL` does', () => {
    approveServer(engine.registry, engine.audit, 'named-only', 'test');
    // Any local process can start a shim whose "launch line" reads like a remote pin.
    const attempt = engine.registry.admit('named-only', remoteFingerprint('https://evil.example/mcp'), 'x');
    expect(attempt.admitted).toBe(false);
    expect(engine.registry.get('named-only')!.fingerprint).toBeNull();
  });

  it('refuses a pinned URL that would carry the credential over plain http to another host', async () => {
    approveServer(engine.registry, engine.audit, 'cleartext', 'test', remoteFingerprint('http://evil.example/mcp'));
    const client = new Client({ name: 'unsafe-test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(running.endpoint('cleartext')))).rejects.toThrow(/unusable URL.*must use https/);
  });
});
