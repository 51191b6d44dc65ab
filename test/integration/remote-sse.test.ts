import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor, type PendingApproval, type RunningEngine } from '../helpers/engine-harness.js';
import { GET_SUM_IS_A_WRITE_POLICY } from '../helpers/policies.js';
import {
  callWithClientToken, CLIENT_TOKEN, expectWholeFlood, FLOOD, floodCall, floodWritten, messageEvents, readSlowly, settledValue, startEverythingHttp, startEverythingSse,
  unreadResponse, useHeaderServerEngine, type RemoteServer,
} from '../helpers/remote-server.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');

function audit(engine: RunningEngine, sql: string): Array<Record<string, unknown>> {
  return JSON.parse(engine.cli(['audit', 'query', sql, '--json']).stdout) as Array<Record<string, unknown>>;
}

describe('the legacy HTTP+SSE transport through the interposer (official SDK SSE client, server-everything sse)', () => {
  const engine = useEngine({ policy: GET_SUM_IS_A_WRITE_POLICY });
  let sseServer: RemoteServer;
  let httpServer: RemoteServer;
  const route = (server: string, part = '') => new URL(engine().route(server, part));
  const connectSse = async (server: string, name = 'sse-tests') => {
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(new SSEClientTransport(route(server, '/sse')));
    return client;
  };

  beforeAll(async () => {
    [sseServer, httpServer] = await Promise.all([startEverythingSse({ GITHUB_TOKEN }), startEverythingHttp()]);
    const approve = engine().cli(['registry', 'approve', 'legacy', '--url', sseServer.url, '--sse']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`launch line pinned: sse-url ${sseServer.url}`);
    expect(engine().cli(['registry', 'approve', 'streamable', '--url', httpServer.url]).code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([sseServer?.stop(), httpServer?.stop()]);
  });

  it('pins the transport with the URL: registry list and the control API show sse-url', async () => {
    expect(engine().cli(['registry', 'list']).stdout).toContain(`sse-url ${sseServer.url}`);
    const viaApi = await engine().api('POST', '/registry/legacy-api/approve', { url: sseServer.url, transport: 'sse' });
    expect(viaApi.body).toMatchObject({ fingerprint: { command: 'sse-url', args: [sseServer.url] } });
    expect((await engine().api('POST', '/registry/legacy-api/approve', { url: sseServer.url, transport: 'websocket' })).status).toBe(400);
  });

  it('lists tools and relays echo from an SSE client to an SSE server, audited with the server and the client', async () => {
    const client = await connectSse('legacy');
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'hello over sse' } });
      expect(JSON.stringify(result.content)).toContain('hello over sse');
    } finally {
      await client.close();
    }
    expect(audit(engine(), "SELECT event, decision, server_name, client FROM mcp_audit WHERE tool_name = 'echo' AND server_name = 'legacy' ORDER BY id")).toEqual([
      { event: 'call', decision: 'ALLOW', server_name: 'legacy', client: 'sse-tests' },
      { event: 'result', decision: 'PASS', server_name: 'legacy', client: 'sse-tests' },
    ]);
  });

  it('holds a write for approval and completes it when allowed', async () => {
    const client = await connectSse('legacy');
    try {
      const call = client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === 'get-sum'), 'a pending get-sum');
      expect(pending.server).toBe('legacy');
      await engine().api('POST', `/approvals/${pending.id}/allow`);
      expect(JSON.stringify((await call).content)).toContain('5');
    } finally {
      await client.close();
    }
  });

  it("redacts a secret in the SSE server's get-env answer", async () => {
    const client = await connectSse('legacy');
    try {
      const text = ((await client.callTool({ name: 'get-env', arguments: {} })).content as Array<{ text: string }>)[0]!.text;
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).toContain('[REDACTED:github-token]');
    } finally {
      await client.close();
    }
  });

  it('joins either client transport to either upstream transport: the relay sits between', async () => {
    const streamableToSse = new Client({ name: 'mixed', version: '1.0.0' });
    await streamableToSse.connect(new StreamableHTTPClientTransport(route('legacy')));
    const sseToStreamable = await connectSse('streamable', 'mixed');
    try {
      expect(JSON.stringify((await streamableToSse.callTool({ name: 'echo', arguments: { message: 'http to sse' } })).content)).toContain('http to sse');
      expect(JSON.stringify((await sseToStreamable.callTool({ name: 'echo', arguments: { message: 'sse to http' } })).content)).toContain('sse to http');
    } finally {
      await Promise.all([streamableToSse.close(), sseToStreamable.close()]);
    }
  });

  it('refuses an unregistered name over SSE, naming the command that approves it', async () => {
    await expect(connectSse('unknown-legacy')).rejects.toThrow(/not in the approved registry.*mcp-firewall registry approve --url URL unknown-legacy/s);
    expect(audit(engine(), "SELECT decision, rule_id, client FROM mcp_audit WHERE server_name = 'unknown-legacy'")).toEqual([{ decision: 'DENY', rule_id: 'registry-shadow', client: 'sse-tests' }]);
  });

  it('refuses browsers, unknown sessions and POSTs before the stream, as for Streamable HTTP', async () => {
    const fromPage = await fetch(route('legacy', '/sse'), { headers: { origin: 'http://evil.example' } });
    expect(fromPage.status).toBe(403);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${route('legacy', '/messages')}&sessionId=nope`, { method: 'POST', headers, body })).status).toBe(404);
    expect((await fetch(route('legacy', '/messages'), { method: 'POST', headers, body })).status).toBe(400);
    expect((await fetch(route('legacy', '/sse'), { method: 'POST', headers, body })).status).toBe(405);
  });
});

describe('legacy SSE upstream credentials and failures', () => {
  const suite = useHeaderServerEngine('sse');
  const sseRoute = () => new URL(suite.engine().route('headers', '/sse'));

  it("never forwards the client's Authorization header to the SSE server", async () => {
    const seen = await callWithClientToken(new SSEClientTransport(sseRoute(), { requestInit: { headers: { authorization: CLIENT_TOKEN } } }), suite.remote());
    expect(seen.map((s) => s.method).slice(0, 2)).toEqual(['GET', 'POST']);
    expect(seen.every((request) => request.authorization === null)).toBe(true);
  });

  it('gives the client a clear error, not a hang, when the SSE server dies mid-call', async () => {
    const client = new Client({ name: 'failure-test', version: '1.0.0' });
    await client.connect(new SSEClientTransport(sseRoute()));
    try {
      const inFlight = settled(client.callTool({ name: 'get-time-slowly', arguments: { ms: 5_000 } }));
      await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${suite.remote().port}/seen`)).json()) as Array<{ rpc: string | null }>).some((s) => s.rpc === 'tools/call get-time-slowly'), 'the slow call to reach the server');
      await suite.remote().stop();
      expect(String(await inFlight)).toMatch(/remote server 'headers'.*(hung up|closed) its SSE stream/);
    } finally {
      await client.close();
    }
    expect(audit(suite.engine(), "SELECT decision FROM mcp_audit WHERE event = 'result' AND tool_name = 'get-time-slowly'")).toEqual([{ decision: 'ERROR' }]);
  });
});

describe('backpressure: a legacy SSE client that reads slowly holds back the remote server', () => {
  const suite = useHeaderServerEngine('sse');

  it('stops reading the remote server while the GET stream is not read, then delivers every message intact', async () => {
    expect(suite.engine().cli(['registry', 'approve', 'flood', '--url', `http://127.0.0.1:${suite.remote().port}/flood`]).code).toBe(0);
    const route = suite.engine().route('flood', '/sse');
    const stream = await unreadResponse(route, 'GET', { accept: 'text/event-stream' });
    // Read only as far as the endpoint event, as a client does before it can POST.
    stream.setEncoding('utf8');
    let head = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: string) => {
        head += chunk;
        if (!head.includes('\n\n')) return;
        stream.off('data', onData);
        stream.pause();
        resolve();
      };
      stream.on('data', onData);
    });
    const messages = new URL(head.split('data: ')[1]!.split('\n')[0]!, route);
    const post = async (message: unknown) => (await fetch(messages, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) })).status;
    expect(await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'slow-reader', version: '1' } } })).toBe(202);
    expect(await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(202);
    expect(await post(floodCall(2))).toBe(202);

    const stalledAt = await settledValue(() => floodWritten(suite.remote()));
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan((FLOOD.count * FLOOD.size) / 2);

    const rest = await readSlowly(stream, '"id":2,"result"');
    const received = messageEvents(head + rest);
    expect(received[0]).toMatchObject({ id: 1, result: { serverInfo: { name: 'flood-server' } } });
    expectWholeFlood(received, 2);
  });
});
