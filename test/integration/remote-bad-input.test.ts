import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/engine-harness.js';
import { messageEvents, unreadResponse, useHeaderServerEngine } from '../helpers/remote-server.js';

// What the interposer's client side does with input the MCP spec (Streamable HTTP,
// 2025-06-18; legacy HTTP+SSE, 2024-11-05) calls wrong: a clear refusal, and the session
// (the client's, and everyone else's) carries on.

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = (id: number, protocolVersion = '2025-06-18') =>
  ({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'bad-input', version: '1' } } });

/** Collects an event stream as it arrives. */
function collect(response: IncomingMessage): { text: () => string } {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
  });
  return { text: () => text };
}

describe('bad input on the client side of the HTTP interposer', () => {
  const suite = useHeaderServerEngine('http');
  const endpoint = (server = 'headers', part = '') => suite.engine().route(server, part);
  const post = (headers: Record<string, string>, message: unknown, server?: string) => fetch(endpoint(server), { method: 'POST', headers, body: JSON.stringify(message) });
  /** A Streamable HTTP session past its handshake: the headers that carry it. */
  const open = async (accept = HEADERS.accept, server?: string): Promise<Record<string, string>> => {
    const init = await post({ ...HEADERS, accept }, initialize(1), server);
    expect(init.status).toBe(200);
    await init.text();
    const session = { ...HEADERS, accept, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    expect((await post(session, { jsonrpc: '2.0', method: 'notifications/initialized' }, server)).status).toBe(202);
    return session;
  };

  it('ends the event stream of a POST whose request the client cancelled, and audits the call as cancelled', async () => {
    const session = await open();
    const call = await unreadResponse(endpoint(), 'POST', session, { jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name: 'get-time-slowly', arguments: { ms: 15_000 } } });
    expect(call.statusCode).toBe(200);
    const stream = collect(call);
    const ended = new Promise<void>((resolve) => call.once('end', resolve));
    // Cancelled once the server has it: a call cancelled while it still waits for the firewall's
    // look at the tools is never sent, and audited so (200 ms were not enough on a busy box).
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${suite.remote().port}/seen`)).json()) as Array<{ rpc: string | null }>).some((r) => r.rpc === 'tools/call get-time-slowly'), 'the call to reach the server');
    expect((await post(session, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 41, reason: 'stop' } })).status).toBe(202);
    // Before: open until the server's answer that never comes (the SDK server drops it), or max_runtime_sec.
    // 8 s for a busy box, still well before the server would answer (15 s).
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the POST stream is still open')), 8_000))]);
    expect(messageEvents(stream.text()).filter((m) => m.id === 41)).toEqual([]);
    const rows = () => JSON.parse(suite.engine().cli(['audit', 'query', "SELECT decision, reason FROM mcp_audit WHERE event = 'result' AND tool_name = 'get-time-slowly'", '--json']).stdout) as unknown[];
    await waitFor(() => rows().length > 0, 'the result row');
    expect(rows()).toEqual([{ decision: 'CANCELLED', reason: 'cancelled by the client: stop' }]);
    // The session goes on.
    const list = await post(session, { jsonrpc: '2.0', id: 42, method: 'tools/list' });
    expect(await list.text()).toContain('get-seen-headers');
  });

  it('does not let a flood of requests for unknown servers (anyone on the machine can send them) grow the audit one row each', async () => {
    const shadowRows = () => (JSON.parse(suite.engine().cli(['audit', 'query', "SELECT COUNT(*) AS n FROM mcp_audit WHERE rule_id = 'registry-shadow'", '--json']).stdout) as Array<{ n: number }>)[0]!.n;
    const before = shadowRows();
    const refused = await Promise.all(Array.from({ length: 40 }, (_, i) => post(HEADERS, initialize(1), `flood-${i}`).then((r) => r.text())));
    expect(refused.every((text) => text.includes("MCP Firewall refused remote server 'flood-"))).toBe(true);
    expect(shadowRows() - before).toBeLessThanOrEqual(30);
    // A name no server has (8000 characters) is turned away before anything is looked up or written.
    const long = await post(HEADERS, initialize(1), 'x'.repeat(8000));
    expect(long.status).toBe(404);
    await long.text();
    expect(shadowRows() - before).toBeLessThanOrEqual(30);
  });

  it('refuses a server pinned to a firewall route that loops back to itself, at once, instead of nesting sessions', async () => {
    const approve = suite.engine().cli(['registry', 'approve', 'loop', '--url', endpoint('loop')]);
    expect(approve.code, approve.stderr).toBe(0);
    const loopRows = () => (JSON.parse(suite.engine().cli(['audit', 'query', "SELECT COUNT(*) AS n FROM mcp_audit WHERE server_name = 'loop'", '--json']).stdout) as Array<{ n: number }>)[0]!.n;
    const answer = await post(HEADERS, initialize(1), 'loop');
    const text = await answer.text();
    expect(text).toMatch(/508|came from an MCP Firewall interposer/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(loopRows()).toBeLessThan(10);
  });

  /** Ends `sessions` and waits until their places are free: an ended session keeps its place until its relay has stopped. */
  const endAll = async (sessions: Array<Record<string, string>>) => {
    await Promise.all(sessions.map((s) => fetch(endpoint(), { method: 'DELETE', headers: { 'mcp-session-id': s['mcp-session-id']! } })));
    await waitFor(async () => {
      const probe = await post(HEADERS, initialize(1));
      await probe.text();
      if (probe.status !== 200) return false;
      await fetch(endpoint(), { method: 'DELETE', headers: { 'mcp-session-id': probe.headers.get('mcp-session-id')! } });
      return true;
    }, 'the ended sessions\' places');
  };

  it('refuses a new session past the bound with 503 rather than end one its client used a moment ago', async () => {
    // A client that never ends its sessions: each would hold a shim, an engine socket and
    // upstream connections until the 30-minute reaper. Sessions idle between two requests
    // (no GET stream) used to make room: the oldest was ended under its client, whose next
    // request got 404. Only one idle for minutes may make room now.
    const sessions: Array<Record<string, string>> = [];
    let refused: Response | null = null;
    for (let i = 0; i < 66 && !refused; i++) {
      const init = await post(HEADERS, initialize(1));
      if (init.status === 503) refused = init;
      else {
        await init.text();
        sessions.push({ ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! });
      }
    }
    expect(refused).not.toBeNull();
    expect(((await refused!.json()) as { error: { message: string } }).error.message).toMatch(/64 sessions to 'headers' are open and busy \(none idle for 5 minutes\)/);
    for (const session of [sessions[0]!, sessions.at(-1)!]) {
      const list = await post(session, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
      expect(list.status).toBe(200);
      await list.text();
    }
    await endAll(sessions);
  });

  it('caps legacy SSE sessions to one server as it does Streamable ones: past the bound a new stream is refused with 503', async () => {
    const streams: IncomingMessage[] = [];
    let refused: IncomingMessage | null = null;
    for (let i = 0; i < 70 && !refused; i++) {
      const stream = await unreadResponse(endpoint('headers', '/sse'), 'GET', { accept: 'text/event-stream' });
      if (stream.statusCode === 503) refused = stream;
      else streams.push(stream);
    }
    expect(streams).toHaveLength(64);
    expect(refused).not.toBeNull();
    const body = await new Promise<string>((resolve) => {
      let text = '';
      refused!.setEncoding('utf8');
      refused!.on('data', (chunk: string) => (text += chunk));
      refused!.on('end', () => resolve(text));
    });
    expect(body).toMatch(/64 sessions to 'headers' are open and busy/);
    // A stream closed ends its session and frees its place.
    streams.shift()!.destroy();
    await waitFor(async () => {
      const again = await unreadResponse(endpoint('headers', '/sse'), 'GET', { accept: 'text/event-stream' });
      if (again.statusCode === 503) return void again.destroy();
      streams.push(again);
      return true;
    }, 'a place freed by a closed stream');
    streams.forEach((s) => s.destroy());
  });

  it('refuses a new session with 503 when every session to the server is busy, rather than end one in use', async () => {
    const streams: IncomingMessage[] = [];
    const sessions: Array<Record<string, string>> = [];
    let refused: Response | null = null;
    // Each session keeps a GET stream open: never idle. The suite's idle ones make room first.
    for (let i = 0; i < 100 && !refused; i++) {
      const init = await post(HEADERS, initialize(1));
      if (init.status === 503) refused = init;
      else {
        await init.text();
        const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
        sessions.push(session);
        streams.push(await unreadResponse(endpoint(), 'GET', { accept: 'text/event-stream', 'mcp-session-id': session['mcp-session-id'] }));
      }
    }
    expect(refused).not.toBeNull();
    expect(((await refused!.json()) as { error: { message: string } }).error.message).toMatch(/64 sessions to 'headers' are open and busy/);
    // None in use was ended for it.
    const last = await post(sessions.at(-1)!, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(last.status).toBe(200);
    await last.text();
    streams.forEach((s) => s.destroy());
    await endAll(sessions);
  });

  it('refuses a second initialize on a live Streamable HTTP session with 400, and the session lives on', async () => {
    const session = await open();
    const again = await post(session, initialize(7));
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32600, message: expect.stringMatching(/already initialized/) });
    // Before: the upstream's refusal of the second initialize ended the whole session (404 here).
    const list = await post(session, { jsonrpc: '2.0', id: 8, method: 'tools/list' });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('get-seen-headers');
  });

  it('refuses a second initialize on a legacy SSE session with 400, and the session lives on', async () => {
    const stream = collect(await unreadResponse(endpoint('headers', '/sse'), 'GET', { accept: 'text/event-stream' }));
    const path = await waitFor(() => /data: (\S+)/.exec(stream.text())?.[1], 'the endpoint event');
    const messages = new URL(path, endpoint());
    const send = async (message: unknown) => (await fetch(messages, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) })).status;
    expect(await send(initialize(1, '2024-11-05'))).toBe(202);
    await waitFor(() => stream.text().includes('"id":1'), 'the initialize answer');
    expect(await send({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(202);
    expect(await send(initialize(2, '2024-11-05'))).toBe(400);
    expect(await send({ jsonrpc: '2.0', id: 3, method: 'tools/list' })).toBe(202);
    await waitFor(() => messageEvents(stream.text()).some((m) => m.id === 3), 'the tools/list answer');
    expect(messageEvents(stream.text()).find((m) => m.id === 3)).toMatchObject({ result: { tools: expect.any(Array) } });
  });

  it('refuses an mcp-protocol-version other than the one the session negotiated with 400 (none is taken)', async () => {
    const session = await open();
    const ping = (id: number, headers: Record<string, string>) => post(headers, { jsonrpc: '2.0', id, method: 'ping' });
    const wrong = await ping(2, { ...session, 'mcp-protocol-version': '1999-01-01' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/unsupported mcp-protocol-version '1999-01-01'/);
    const stream = await fetch(endpoint(), { headers: { accept: 'text/event-stream', 'mcp-session-id': session['mcp-session-id']!, 'mcp-protocol-version': 'garbage' } });
    expect(stream.status).toBe(400);
    await stream.body?.cancel();
    expect((await ping(3, { ...session, 'mcp-protocol-version': '2025-06-18' })).status).toBe(200);
    expect((await ping(4, session)).status).toBe(200);
  });

  it('refuses an id that is not a string, a number or null with 400, starting no session for it', async () => {
    const objectId = { ...initialize(1), id: { a: 1 }, params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bad-input-object-id', version: '1' } } };
    const refused = await post(HEADERS, objectId);
    // Before: 500 ("undefined" is not valid JSON), after a relay session had been started.
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/id must be/) } });
    expect(suite.engine().cli(['audit', 'query', "SELECT id FROM mcp_audit WHERE method = 'spawn' AND client = 'bad-input-object-id'", '--json']).stdout.trim()).toBe('[]');
    const session = await open();
    expect((await post(session, { jsonrpc: '2.0', id: true, method: 'ping' })).status).toBe(400);
    expect((await post(session, [{ jsonrpc: '2.0', id: 5, method: 'ping' }, { jsonrpc: '2.0', id: [5], method: 'ping' }])).status).toBe(400);
    expect((await post(session, { jsonrpc: '2.0', id: 'ok', method: 'ping' })).status).toBe(200);
  });

  it('keeps only a few MiB of server-initiated messages for a session with no stream open', async () => {
    expect(suite.engine().cli(['registry', 'approve', 'flood', '--url', `http://127.0.0.1:${suite.remote().port}/flood`]).code).toBe(0);
    // A client that takes only JSON: the flood's 300 notifications of 64 KiB (19 MiB) have
    // no stream to go to, and wait for a GET stream.
    const session = await open('application/json', 'flood');
    const call = await post(session, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'flood', arguments: { count: 300, size: 64 * 1024 } } }, 'flood');
    expect(await call.json()).toMatchObject({ id: 2, result: { content: [{ text: 'flooded 300' }] } });
    const response = await unreadResponse(endpoint('flood'), 'GET', { accept: 'text/event-stream', 'mcp-session-id': session['mcp-session-id']! });
    const stream = collect(response);
    // The backlog is written at once when the stream opens; what arrives is what was kept.
    let last = -1;
    await waitFor(async () => {
      await new Promise((r) => setTimeout(r, 300));
      const now = stream.text().length;
      const still = now === last && now > 0;
      last = now;
      return still;
    }, 'the backlog to arrive', 20_000);
    response.destroy();
    const kept = messageEvents(stream.text());
    expect(kept.length).toBeGreaterThan(0);
    // Before: 256 of them (16 MiB); now at most 4 MiB, the newest (in order, the last one sent).
    expect(Buffer.byteLength(stream.text())).toBeLessThan(4.2 * 1024 * 1024);
    expect((kept.at(-1)!.params as { data: string }).data.startsWith('299:')).toBe(true);
  });
});
