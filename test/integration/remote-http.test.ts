import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor, type PendingApproval, type RunningEngine } from '../helpers/engine-harness.js';
import { githubStyleToken } from '../unit/output/helpers.js';
import {
  callWithClientToken, CLIENT_TOKEN, expectWholeFlood, FLOOD, floodCall, floodWritten, messageEvents, readSlowly, settledValue, startEverythingHttp, unreadResponse,
  useHeaderServerEngine, type RemoteServer,
} from '../helpers/remote-server.js';
import { GET_SUM_IS_A_WRITE_POLICY } from '../helpers/policies.js';

const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');

describe('remote servers through the HTTP interposer (Streamable HTTP, official SDK client)', () => {
  const engine = useEngine({ policy: GET_SUM_IS_A_WRITE_POLICY });
  let everything: RemoteServer;
  const endpoint = (server: string) => new URL(engine().route(server));
  const connect = async (server: string, requestInit?: RequestInit) => {
    const client = new Client({ name: 'remote-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint(server), requestInit ? { requestInit } : {}));
    return client;
  };
  const audit = (sql: string) => JSON.parse(engine().cli(['audit', 'query', sql, '--json']).stdout) as Array<Record<string, unknown>>;

  beforeAll(async () => {
    everything = await startEverythingHttp({ GITHUB_TOKEN });
    const approve = engine().cli(['registry', 'approve', 'everything', '--url', everything.url]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`launch line pinned: url ${everything.url}`);
    // The route it names carries this install's route key, or the interposer would refuse it.
    expect(approve.stdout).toContain(`point your MCP client at ${engine().route('everything')} (Streamable HTTP) or ${engine().route('everything', '/sse')} (legacy SSE)`);
  });
  afterAll(async () => {
    await everything?.stop();
  });

  it('lists tools and relays an allowed read, audited with the server and the client', async () => {
    const client = await connect('everything');
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'hello over http' } });
      expect(JSON.stringify(result.content)).toContain('hello over http');
    } finally {
      await client.close();
    }
    expect(audit("SELECT event, decision, server_name, action_class, client FROM mcp_audit WHERE tool_name = 'echo' ORDER BY id")).toEqual([
      { event: 'call', decision: 'ALLOW', server_name: 'everything', action_class: 'read', client: 'remote-tests' },
      { event: 'result', decision: 'PASS', server_name: 'everything', action_class: 'read', client: 'remote-tests' },
    ]);
    expect(audit("SELECT decision, reason FROM mcp_audit WHERE event = 'registry' AND server_name = 'everything' AND method = 'spawn'")).toEqual([
      { decision: 'ALLOW', reason: 'registered server started' },
    ]);
  });

  it('holds a write for approval: it completes when allowed and fails when denied', async () => {
    const client = await connect('everything');
    try {
      const pending = () => waitFor(async () => ((await engine().api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === 'get-sum'), 'a pending get-sum');
      const allowed = client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
      const first = await pending();
      expect(first.server).toBe('everything');
      expect((await engine().api('POST', `/approvals/${first.id}/allow`)).status).toBe(200);
      expect(JSON.stringify((await allowed).content)).toContain('5');

      const denied = settled(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }));
      const second = await pending();
      await engine().api('POST', `/approvals/${second.id}/deny`);
      expect(String(await denied)).toMatch(/denied/i);
    } finally {
      await client.close();
    }
  });

  it("redacts a secret in the remote server's get-env answer", async () => {
    const client = await connect('everything');
    try {
      const result = await client.callTool({ name: 'get-env', arguments: {} });
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).toContain('[REDACTED:github-token]');
    } finally {
      await client.close();
    }
    expect(audit("SELECT decision FROM mcp_audit WHERE event = 'result' AND tool_name = 'get-env'")).toEqual([{ decision: 'REDACT' }]);
  });

  it('refuses a server that is not registered with a URL, naming the command that approves it', async () => {
    await expect(connect('unknown-remote')).rejects.toThrow(/not in the approved registry.*mcp-firewall registry approve --url URL unknown-remote/s);
    expect(audit("SELECT decision, rule_id FROM mcp_audit WHERE server_name = 'unknown-remote'")).toEqual([{ decision: 'DENY', rule_id: 'registry-shadow' }]);
    engine().cli(['registry', 'approve', 'local-only']);
    await expect(connect('local-only')).rejects.toThrow(/registered without a URL.*registry approve --url URL local-only/s);
  });

  it('refuses a disabled remote server through the same admission as wrap', async () => {
    engine().cli(['registry', 'approve', 'switched-off', '--url', everything.url]);
    engine().cli(['registry', 'disable', 'switched-off']);
    await expect(connect('switched-off')).rejects.toThrow(/disabled in the registry.*registry enable switched-off/s);
  });

  it('stops a live remote session at once when the server is disabled (containment)', async () => {
    engine().cli(['registry', 'approve', 'contained', '--url', everything.url]);
    const client = await connect('contained');
    try {
      await client.callTool({ name: 'echo', arguments: { message: 'before' } });
      expect(engine().cli(['registry', 'disable', 'contained']).code).toBe(0);
      await waitFor(async () => String(await settled(client.callTool({ name: 'echo', arguments: { message: 'after' } }))).includes('disabled'), 'the live session to be stopped');
    } finally {
      await client.close();
    }
  });

  it('refuses requests from a browser (Origin header) and unknown sessions', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'page', version: '1' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const fromPage = await fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, origin: `http://127.0.0.1:${engine().port}` }, body });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).toMatch(/browser/);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host (fetch cannot forge one, node:http can).
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: engine().port, path: new URL(engine().route('everything')).pathname + new URL(engine().route('everything')).search, method: 'POST', headers: { ...headers, host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end(body);
    });
    expect(rebound).toBe(403);
    const unknown = await fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, 'mcp-session-id': 'nope' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(unknown.status).toBe(404);
    const garbage = await fetch(endpoint('everything'), { method: 'POST', headers, body: '{not json' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('answers a client that only accepts JSON with one JSON body', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const init = await fetch(endpoint('everything'), {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'json-only', version: '1' } } }),
    });
    expect(init.headers.get('content-type')).toContain('application/json');
    expect(((await init.json()) as { result: { serverInfo: unknown } }).result.serverInfo).toBeDefined();
    const session = init.headers.get('mcp-session-id')!;
    const initialized = await fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    expect(initialized.status).toBe(202);
    const list = await fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 'list', method: 'tools/list' }) });
    expect(((await list.json()) as { id: string; result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(3);
    const ended = await fetch(endpoint('everything'), { method: 'DELETE', headers: { 'mcp-session-id': session } });
    expect(ended.status).toBe(200);
    const after = await fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
    expect(after.status).toBe(404);
  });

  it('keeps an id taken until its request is answered, even after the client hung up on that POST', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const post = (session: string | null, body: unknown, signal?: AbortSignal) =>
      fetch(endpoint('everything'), { method: 'POST', headers: { ...headers, ...(session ? { 'mcp-session-id': session } : {}) }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
    const init = await post(null, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hang-up', version: '1' } } });
    const session = init.headers.get('mcp-session-id')!;
    await post(session, { jsonrpc: '2.0', method: 'notifications/initialized' });
    // get-sum waits for a person (the policy calls it a write): the call stays in flight.
    const hangUp = new AbortController();
    const first = settled(post(session, { jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'get-sum', arguments: { a: 1, b: 2 } } }, hangUp.signal));
    const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === 'get-sum'), 'the call waiting');
    hangUp.abort();
    await first;
    const reused = await post(session, { jsonrpc: '2.0', id: 77, method: 'tools/list' });
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: { message: string } }).error.message).toContain('already in use by a request in flight');
    // Answered (denied here), the id is free again.
    await engine().api('POST', `/approvals/${pending.id}/deny`);
    await waitFor(async () => (await post(session, { jsonrpc: '2.0', id: 77, method: 'tools/list' })).status === 200, 'the id free again');
    await fetch(endpoint('everything'), { method: 'DELETE', headers: { 'mcp-session-id': session } });
  });
});

describe('remote server credentials, drift and failures', () => {
  const suite = useHeaderServerEngine('http');
  const endpoint = (server: string) => new URL(suite.engine().route(server));

  it("never forwards the client's Authorization header to the remote server", async () => {
    const transport = new StreamableHTTPClientTransport(endpoint('headers'), { requestInit: { headers: { authorization: CLIENT_TOKEN } } });
    const seen = await callWithClientToken(transport, suite.remote());
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((request) => request.authorization === null)).toBe(true);
  });

  it('gives the client a clear error, not a hang, when the remote server goes away mid-session', async () => {
    const client = new Client({ name: 'failure-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint('headers')));
    try {
      const inFlight = settled(client.callTool({ name: 'get-time-slowly', arguments: { ms: 5_000 } }));
      // By its name: the requests of the suite's earlier sessions are on the list too.
      await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${suite.remote().port}/seen`)).json()) as Array<{ rpc: string | null }>).some((r) => r.rpc === 'tools/call get-time-slowly'), 'the slow call to reach the server');
      await suite.remote().stop();
      expect(String(await inFlight)).toMatch(/remote server 'headers'.*(hung up|without answering)/);
      await expect(client.callTool({ name: 'get-seen-headers', arguments: {} })).rejects.toThrow(/remote server 'headers' .*unreachable/);
    } finally {
      await client.close();
    }
    expect(audit(suite.engine(), "SELECT decision FROM mcp_audit WHERE event = 'result' AND tool_name = 'get-time-slowly'")).toEqual([{ decision: 'ERROR' }]);
  });
});

describe('what a remote server sends unasked, through the HTTP interposer', () => {
  const suite = useHeaderServerEngine('http', { FIXTURE_LEAK: GITHUB_TOKEN });

  // Raw requests, so the order of the call's stream can be read whole (the SDK client's
  // test below shows the same order with a GET stream open).
  it('redacts a secret in its progress, log and task status notifications, keeps their order, and audits each', async () => {
    const endpoint = suite.engine().route('headers');
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'notif-test', version: '1' } } }) });
    await init.text();
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const call = await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-leaky-status', arguments: {}, _meta: { progressToken: 'p-2' } } }) });
    const stream = await call.text();
    await fetch(endpoint, { method: 'DELETE', headers: { 'mcp-session-id': session['mcp-session-id'] } });
    expect(stream).not.toContain(GITHUB_TOKEN);
    expect(messageEvents(stream).map((m) => m.params ?? m.result)).toEqual([
      { progressToken: 'p-2', progress: 1, total: 2, message: 'cloning with [REDACTED:github-token]' },
      { level: 'warning', logger: 'headers', data: 'retrying with token [REDACTED:github-token]' },
      expect.objectContaining({ taskId: 't-9', status: 'working', statusMessage: 'pushing with [REDACTED:github-token]' }),
      { content: [{ type: 'text', text: 'done' }] },
    ]);
    const redacted = { decision: 'REDACT', reason: 'redacted github-token ×1' };
    expect(audit(suite.engine(), "SELECT method, tool_name, decision, reason FROM mcp_audit WHERE event = 'result' AND method LIKE 'notifications/%' ORDER BY id")).toEqual([
      { method: 'notifications/progress', tool_name: 'progress:p-2', ...redacted },
      { method: 'notifications/message', tool_name: null, ...redacted },
      { method: 'notifications/tasks/status', tool_name: 'task:t-9', ...redacted },
    ]);
  });

  // The SDK client keeps a GET stream open, and drops progress for a call it has already
  // answered: progress sent there instead of on the call's own stream raced its answer and lost.
  it("delivers a call's progress and log lines on the call's own stream, before its answer, while a GET stream is open", async () => {
    let getStreamOpen!: () => void;
    const listening = new Promise<void>((resolve) => (getStreamOpen = resolve));
    const fetchSpy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'GET' && response.ok) getStreamOpen();
      return response;
    };
    const client = new Client({ name: 'progress-test', version: '1.0.0' }, { capabilities: {} });
    const seen: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen.push(`log: ${String(n.params.data)}`));
    await client.connect(new StreamableHTTPClientTransport(new URL(suite.engine().route('headers')), { fetch: fetchSpy }));
    try {
      await listening;
      const result = await client.callTool({ name: 'get-leaky-status', arguments: {} }, undefined, { onprogress: (p) => void seen.push(`progress: ${p.progress}/${p.total}`) });
      seen.push(`result: ${JSON.stringify(result.content)}`);
    } finally {
      await client.close();
    }
    expect(seen).toEqual([
      'progress: 1/2',
      'log: retrying with token [REDACTED:github-token]',
      `result: ${JSON.stringify([{ type: 'text', text: 'done' }])}`,
    ]);
  });
});

describe('backpressure: a slow client holds back a remote server streaming a large answer', () => {
  const suite = useHeaderServerEngine('http');

  it('stops reading the remote server while the client reads nothing, then delivers every message intact', async () => {
    expect(suite.engine().cli(['registry', 'approve', 'flood', '--url', `http://127.0.0.1:${suite.remote().port}/flood`]).code).toBe(0);
    const endpoint = suite.engine().route('flood');
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'slow-reader', version: '1' } } }) });
    expect(await init.text()).toContain('flood-server');
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    expect((await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).status).toBe(202);

    const answer = await unreadResponse(endpoint, 'POST', session, floodCall(2));
    const stalledAt = await settledValue(() => floodWritten(suite.remote()));
    // Held back: what it wrote sits in socket buffers (~9 MB here, mostly the kernel's);
    // without backpressure the engine reads all 64 MB into memory at once.
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan((FLOOD.count * FLOOD.size) / 2);

    expectWholeFlood(messageEvents(await readSlowly(answer)), 2);
  });
});

function audit(engine: RunningEngine, sql: string): Array<Record<string, unknown>> {
  return JSON.parse(engine.cli(['audit', 'query', sql, '--json']).stdout) as Array<Record<string, unknown>>;
}
