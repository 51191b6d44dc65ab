import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { spawn as nodeSpawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../../main/firewall/api/control-api.js';
import { createHttpInterposer } from '../../../main/firewall/http/interposer.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { runShim } from '../../../main/firewall/proxy/shim.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { startInProcessEngine, type InProcessEngine } from '../../helpers/in-process-engine.js';
import { startHeaderServer, type RemoteServer } from '../../helpers/remote-server.js';

// An engine in this process whose keychain holds AUTHORIZATION for 'headers', with the
// control API (and so the interposer) and the shim socket, as `serve` runs them.
describe('remote admission and upstream credentials (engine in process)', () => {
  let running: InProcessEngine;
  let dir: string;
  let engine: Engine;
  let api: ControlApi;
  let remote: RemoteServer;
  const seen = async () => (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Array<{ method: string; authorization: string | null }>;

  beforeAll(async () => {
    running = await startInProcessEngine('mcpfw-remote-', {
      secretEnv: async (server): Promise<Record<string, string>> =>
        server === 'headers' ? { AUTHORIZATION: 'Bearer from-the-keychain' } : server === 'split' ? { AUTHORIZATION: 'Bearer WRITE', AUTHORIZATION_READ: 'Bearer READ' } : {},
    });
    ({ dir, engine, api } = running);
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
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${api.port}/mcp/headers`), { requestInit: { headers: { authorization: 'Bearer the-clients-token' } } }));
    await client.listTools(); // traffic only: an answer echoing the credential would be redacted or quarantined
    await client.close();
    const requests = await seen();
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.every((r) => r.authorization === 'Bearer from-the-keychain')).toBe(true);
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
    for (let i = 0; i < 200 && !answer; i++) await new Promise((r) => setTimeout(r, 10));
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
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp/headers`;
    const stillThere = async (sessionId: string) =>
      (await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId }, body: '{"jsonrpc":"2.0","method":"notifications/ping"}' })).status;
    try {
      const transport = new StreamableHTTPClientTransport(new URL(endpoint));
      const client = new Client({ name: 'idle-test', version: '1.0.0' });
      await client.connect(transport);
      await client.listTools(); // traffic only: an answer echoing the credential would be redacted or quarantined
      const sessionId = transport.sessionId!;
      expect(await stillThere(sessionId)).toBe(202);
      await client.close(); // closes its streams; no DELETE
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await stillThere(sessionId)).toBe(404);
    } finally {
      interposer.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends the write token only with a call the policy classed as a write, the read token with everything else', async () => {
    const before = (await seen()).length;
    const client = new Client({ name: 'split-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${api.port}/mcp/split`)));
    try {
      await client.callTool({ name: 'get-time-slowly', arguments: { ms: 1 } });
      // The shipped policy asks before a write: allow it as a person would.
      const write = client.callTool({ name: 'update-note', arguments: { text: 'hi' } });
      let pending = engine.approvals.list();
      for (let i = 0; i < 200 && pending.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        pending = engine.approvals.list();
      }
      expect(engine.approvals.answer(pending[0]!.id, 'allow', 'once')).toBe(true);
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
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${api.port}/mcp/cleartext`)))).rejects.toThrow(/unusable URL.*must use https/);
  });
});
