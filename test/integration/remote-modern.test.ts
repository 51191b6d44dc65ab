import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor, type PendingApproval, type RunningEngine } from '../helpers/engine-harness.js';
import { ASK_FOR_WRITES_RULE } from '../helpers/policies.js';
import { messageEvents, modernSeen, startModernHttp, type RemoteServer } from '../helpers/remote-server.js';

// MCP 2026-07-28 (stateless Streamable HTTP): the v2 SDK's client, pinned to that revision,
// through `serve`'s interposer to a v2 SDK server (test/fixtures/servers/modern-http-server.mjs).

const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const POLICY = `version: v1
defaults:
  decision: ALLOW
rules:
${ASK_FOR_WRITES_RULE}`;
const MODERN = '2026-07-28';
const ENVELOPE = (name: string) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name, version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
});
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN };

async function connect(url: string, name = 'modern-tests'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: { form: {} } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** A raw 2026-07-28 request (one POST), as a client that is not the SDK's would send it. */
function modernPost(url: string, message: { id?: unknown; method: string; params?: Record<string, unknown> }, name: string, headers: Record<string, string> = {}, signal?: AbortSignal, version = MODERN): Promise<Response> {
  const body = { jsonrpc: '2.0', ...message, params: { ...message.params, _meta: { ...ENVELOPE(name), 'io.modelcontextprotocol/protocolVersion': version } } };
  const named: Record<string, string> = typeof message.params?.name === 'string' ? { 'mcp-name': message.params.name } : {};
  return fetch(url, { method: 'POST', headers: { ...HEADERS, 'mcp-protocol-version': version, 'mcp-method': message.method, ...named, ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

const pendingApproval = (engine: RunningEngine, tool: string, skip: Set<string> = new Set()) =>
  waitFor(async () => ((await engine.api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === tool && !skip.has(p.id)), `a pending ${tool}`);

function audit(engine: RunningEngine, sql: string): Array<Record<string, unknown>> {
  return JSON.parse(engine.cli(['audit', 'query', sql, '--json']).stdout) as Array<Record<string, unknown>>;
}

describe('a 2026-07-28 client through the HTTP interposer to a 2026-07-28 server', () => {
  const engine = useEngine({ policy: POLICY });
  let remote: RemoteServer;
  const route = () => engine().route('modern');

  beforeAll(async () => {
    remote = await startModernHttp({ FIXTURE_LEAK: AWS_KEY });
    expect(engine().cli(['registry', 'approve', 'modern', '--url', remote.url]).code).toBe(0);
  });
  afterAll(async () => {
    await remote?.stop();
  });

  it('connects without a session, lists and relays an allowed read, audited with the server and the client', async () => {
    const client = await connect(route());
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('read_echo');
      const result = await client.callTool({ name: 'read_echo', arguments: { text: 'hello, stateless' } });
      expect(JSON.stringify(result.content)).toContain('echo: hello, stateless');
    } finally {
      await client.close();
    }
    expect(audit(engine(), "SELECT event, decision, server_name, action_class, client FROM mcp_audit WHERE tool_name = 'read_echo' ORDER BY id")).toEqual([
      { event: 'call', decision: 'ALLOW', server_name: 'modern', action_class: 'read', client: 'modern-tests' },
      { event: 'result', decision: 'PASS', server_name: 'modern', action_class: 'read', client: 'modern-tests' },
    ]);
  });

  it("sends the firewall's own tools/list with the client's envelope, and every request with headers that match its body", async () => {
    const client = await connect(route(), 'envelope-tests');
    try {
      await client.callTool({ name: 'read_echo', arguments: { text: 'look first' } });
    } finally {
      await client.close();
    }
    const seen = (await modernSeen(remote)).filter((s) => s.client === 'envelope-tests');
    const own = seen.find((s) => String(s.id).startsWith('mcp-firewall/'));
    expect(own).toMatchObject({ method: 'tools/list', envelope: MODERN, headers: { 'mcp-method': 'tools/list', 'mcp-protocol-version': MODERN, 'mcp-session-id': null } });
    expect(seen.map((s) => s.method)).toEqual(expect.arrayContaining(['server/discover', 'tools/list', 'tools/call']));
    for (const request of seen) {
      expect(request.headers['mcp-session-id']).toBeNull();
      expect(request.headers['mcp-method']).toBe(request.method);
      expect(request.headers['mcp-protocol-version']).toBe(request.envelope);
    }
    expect(seen.find((s) => s.method === 'tools/call')?.headers['mcp-name']).toBe('read_echo');
  });

  it("redacts a secret in the remote server's result", async () => {
    const client = await connect(route());
    try {
      const text = (await client.callTool({ name: 'read_secret', arguments: {} })).content as Array<{ text: string }>;
      expect(text[0]!.text).not.toContain(AWS_KEY);
      expect(text[0]!.text).toContain('[REDACTED:aws-access-key-id]');
    } finally {
      await client.close();
    }
    expect(audit(engine(), "SELECT decision FROM mcp_audit WHERE event = 'result' AND tool_name = 'read_secret'")).toEqual([{ decision: 'REDACT' }]);
  });

  it('holds a write for approval: it completes when allowed and fails when denied', async () => {
    const client = await connect(route());
    try {
      const allowed = client.callTool({ name: 'write_note', arguments: { text: 'one' } });
      const first = await pendingApproval(engine(), 'write_note');
      expect(first.server).toBe('modern');
      expect((await engine().api('POST', `/approvals/${first.id}/allow`)).status).toBe(200);
      expect(JSON.stringify((await allowed).content)).toContain('saved: one');

      const denied = settled(client.callTool({ name: 'write_note', arguments: { text: 'two' } }));
      const second = await pendingApproval(engine(), 'write_note', new Set([first.id]));
      await engine().api('POST', `/approvals/${second.id}/deny`);
      expect(String(await denied)).toMatch(/denied/i);
    } finally {
      await client.close();
    }
    expect((await modernSeen(remote)).filter((s) => s.method === 'tools/call' && s.headers['mcp-name'] === 'write_note')).toHaveLength(1);
  });

  it('withdraws a call waiting for approval when the client closes its request (2026-07-28 cancellation)', async () => {
    const hangUp = new AbortController();
    const call = settled(modernPost(route(), { id: 1, method: 'tools/call', params: { name: 'write_note', arguments: { text: 'never' } } }, 'hang-up', {}, hangUp.signal));
    const pending = await pendingApproval(engine(), 'write_note');
    hangUp.abort();
    await call;
    await waitFor(async () => !((await engine().api('GET', '/approvals')).body as PendingApproval[]).some((p) => p.id === pending.id), 'the approval withdrawn');
    expect(audit(engine(), "SELECT decision, reason FROM mcp_audit WHERE event = 'call' AND tool_name = 'write_note' AND client = 'hang-up'")).toEqual([
      { decision: 'DENY', reason: 'the call was cancelled while waiting for approval' },
    ]);
  });

  it('ends the stream of a subscription its client cancels with notifications/cancelled', async () => {
    const listen = await modernPost(route(), { id: 'sub-1', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true } } }, 'canceller');
    const reader = listen.body!.getReader();
    const decoder = new TextDecoder();
    let stream = '';
    while (!stream.includes('notifications/subscriptions/acknowledged')) stream += decoder.decode((await reader.read()).value);
    expect(stream).toContain('"io.modelcontextprotocol/subscriptionId":"sub-1"');
    const cancelled = await modernPost(route(), { method: 'notifications/cancelled', params: { requestId: 'sub-1' } }, 'canceller');
    expect(cancelled.status).toBe(202);
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    expect(await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve('still open'), 15_000))])).toBe('ended');
  });

  it('refuses a route that is not registered with a URL, naming the command that approves it', async () => {
    const response = await modernPost(engine().route('unknown-modern'), { id: 'd', method: 'server/discover' }, 'refused');
    const body = (await response.json()) as { id: string; error: { message: string } };
    expect(body.id).toBe('d');
    expect(body.error.message).toMatch(/not in the approved registry.*mcp-firewall registry approve --url URL unknown-modern/s);
    expect(audit(engine(), "SELECT decision, rule_id FROM mcp_audit WHERE server_name = 'unknown-modern'")).toEqual([{ decision: 'DENY', rule_id: 'registry-shadow' }]);
    await expect(connect(engine().route('unknown-modern'))).rejects.toThrow();
  });

  it('refuses a 2026-07-28 request to a route pinned as a legacy HTTP+SSE server, which cannot take one', async () => {
    expect(engine().cli(['registry', 'approve', 'old-sse', '--url', `http://127.0.0.1:${remote.port}/sse`, '--sse']).code).toBe(0);
    const response = await modernPost(engine().route('old-sse'), { id: 1, method: 'server/discover' }, 'too-new');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/'old-sse' is pinned as a legacy HTTP\+SSE server.*earlier revision/);
  });

  it('gives each of two processes of one client its own answer when their ids are the same', async () => {
    const [slow, fast] = await Promise.all([
      modernPost(route(), { id: 1, method: 'tools/call', params: { name: 'slow_read', arguments: { ms: 600 } } }, 'twin'),
      (async () => {
        await new Promise((r) => setTimeout(r, 100));
        return modernPost(route(), { id: 1, method: 'tools/call', params: { name: 'slow_read', arguments: { ms: 50 } } }, 'twin');
      })(),
    ]);
    const answers = [messageEvents(await slow.text()), messageEvents(await fast.text())].map((events) => events.find((m) => m.id === 1));
    expect(answers.map((a) => JSON.stringify(a?.result))).toEqual([expect.stringContaining('waited 600'), expect.stringContaining('waited 50')]);
  });

  it("carries the client's Mcp-Param headers to the server, which checks them against the arguments", async () => {
    const client = await connect(route());
    try {
      await client.listTools();
      const result = await client.callTool({ name: 'region_info', arguments: { region: 'eu-west-1' } });
      expect(JSON.stringify(result.content)).toContain('region eu-west-1');
    } finally {
      await client.close();
    }
    expect((await modernSeen(remote)).find((s) => s.headers['mcp-name'] === 'region_info')?.headers['mcp-param-region']).toBe('eu-west-1');
  });

  it('refuses a request whose Mcp-Method or Mcp-Name header disagrees with its body (-32020), sending nothing on', async () => {
    const before = (await modernSeen(remote)).length;
    const response = await modernPost(route(), { id: 7, method: 'tools/call', params: { name: 'write_note', arguments: { text: 'x' } } }, 'liar', { 'mcp-name': 'read_echo' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 7, error: { code: -32020 } });
    const listed = await modernPost(route(), { id: 8, method: 'tools/call', params: { name: 'write_note', arguments: { text: 'x' } } }, 'liar', { 'mcp-method': 'tools/list' });
    expect(listed.status).toBe(400);
    expect((await modernSeen(remote)).length).toBe(before);
  });

  it("passes on the server's own JSON-RPC refusal of a revision it does not support, which the client negotiates by", async () => {
    const response = await modernPost(route(), { id: 'probe', method: 'server/discover' }, 'future', {}, undefined, '2027-01-01');
    const body = messageEvents(await response.text())[0] as { id: string; error: { code: number; data: { supported: string[] } } };
    expect(body.id).toBe('probe');
    expect(body.error.data.supported).toEqual([MODERN]);
    expect(body.error.code).not.toBe(-32004);
  });

  it('answers a 2026-07-28 client that takes only JSON with one JSON body under its own id', async () => {
    const response = await modernPost(route(), { id: 'json-1', method: 'tools/call', params: { name: 'read_echo', arguments: { text: 'plain' } } }, 'json-only', { accept: 'application/json' });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(await response.json()).toMatchObject({ id: 'json-1', result: { content: [{ type: 'text', text: 'echo: plain' }] } });
  });

  it('answers GET and DELETE of a 2026-07-28 client with 405, as a server of that revision does', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(route(), { method, headers: { accept: 'text/event-stream', 'mcp-protocol-version': MODERN } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it("passes a multi round-trip question on with the output stage applied, and lets the client's retry continue under the call's approval", async () => {
    const client = await connect(route());
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { confirm: true } };
    });
    try {
      const deployed = client.callTool({ name: 'deploy', arguments: { env: 'prod' } });
      const first = await pendingApproval(engine(), 'deploy');
      await engine().api('POST', `/approvals/${first.id}/allow`);
      // The retry, carrying the answer (inputResponses), is the same call the person allowed:
      // it goes on under that approval (proxy/continuations.ts), nobody is asked twice.
      expect(JSON.stringify((await deployed).content)).toContain('deployed to prod');
      const calls = audit(engine(), "SELECT decision, approval_id, reason FROM mcp_audit WHERE event = 'call' AND tool_name = 'deploy' ORDER BY id");
      expect(calls).toHaveLength(2);
      expect(calls.map((c) => [c.decision, c.approval_id])).toEqual([['ALLOW', first.id], ['ALLOW', first.id]]);
      expect(String(calls[1]!.reason)).toContain(`continued approval ${first.id}`);
    } finally {
      await client.close();
    }
    expect(asked).toEqual(['Deploy to prod with key [REDACTED:aws-access-key-id]?']);
    expect(audit(engine(), "SELECT decision FROM mcp_audit WHERE event = 'result' AND tool_name = 'deploy' ORDER BY id")).toEqual([{ decision: 'REDACT' }, { decision: 'PASS' }]);
  });
});

describe('a rug pull on a 2026-07-28 server', () => {
  const engine = useEngine({ policy: POLICY });
  let remote: RemoteServer;

  beforeAll(async () => {
    remote = await startModernHttp();
    expect(engine().cli(['registry', 'approve', 'shifty', '--url', remote.url]).code).toBe(0);
  });
  afterAll(async () => {
    await remote?.stop();
  });

  it("holds a tool whose description changed, told on the client's subscription, before the client lists again", async () => {
    const client = await connect(engine().route('shifty'));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('read_echo');
      await client.callTool({ name: 'read_echo', arguments: { text: 'before' } });
      let changed!: () => void;
      const told = new Promise<void>((resolve) => (changed = resolve));
      client.setNotificationHandler('notifications/tools/list_changed', () => changed());
      const subscription = await client.listen({ toolsListChanged: true });
      await fetch(`http://127.0.0.1:${remote.port}/flip`, { method: 'POST' });
      await told;
      // From the list the client cached: the firewall looked again on the server's word.
      await expect(client.callTool({ name: 'read_echo', arguments: { text: 'after' } })).rejects.toThrow(/denied read_echo: tool 'read_echo' is held: /);
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('read_echo');
      await subscription.close();
    } finally {
      await client.close();
    }
    expect((await modernSeen(remote)).filter((s) => s.method === 'tools/call' && s.headers['mcp-name'] === 'read_echo')).toHaveLength(1);
  });
});
