import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine, waitFor } from '../helpers/engine-harness.js';

// A remote MCP server that means harm, written by hand (no SDK: it sends what no SDK would),
// against the interposer's upstream side. Every engine session shares one process: what one
// server sends must cost that server's own sessions at most.

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile-test', version: '1' } } };
const TOOL = { name: 'get-report', description: 'Reads a report.', annotations: { readOnlyHint: true }, inputSchema: { type: 'object', properties: { n: { type: 'number' } } } };

/** How the server answers a tools/call (id, then the raw response it writes). */
type CallAnswer = (id: number, res: ServerResponse) => void;

/**
 * A bare Streamable HTTP server whose tools/call answer is `answer`; counts its open
 * connections. `holdNotices()`: a POST without a request gets an event stream that never ends.
 */
function hostileServer(answer: () => CallAnswer, holdNotices: () => boolean) {
  const sockets = new Set<Socket>();
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const message = JSON.parse(body) as { id?: number; method: string };
    if (message.id === undefined && holdNotices()) return void res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    if (message.id === undefined) return void res.writeHead(202).end();
    if (message.method === 'initialize') {
      return json(res, { jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '1' } } }, { 'mcp-session-id': 'hostile-session' });
    }
    if (message.method === 'tools/list') return json(res, { jsonrpc: '2.0', id: message.id, result: { tools: [TOOL] } });
    answer()(message.id, res);
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { server, openConnections: () => sockets.size };
}

describe('a hostile remote server behind the HTTP interposer', () => {
  let answer: CallAnswer = () => {};
  let holdNotices = false;
  const hostile = hostileServer(() => answer, () => holdNotices);
  const engine = useEngine({ policy: 'version: v1\ndefaults:\n  decision: ALLOW\nrules: []\n' });
  beforeAll(async () => {
    await new Promise<void>((resolve) => hostile.server.listen(0, '127.0.0.1', resolve));
    const approve = engine().cli(['registry', 'approve', 'hostile', '--url', `http://127.0.0.1:${(hostile.server.address() as AddressInfo).port}/mcp`]);
    expect(approve.code, approve.stderr).toBe(0);
  });
  afterAll(() => {
    hostile.server.closeAllConnections();
    hostile.server.close();
  });

  const post = (headers: Record<string, string>, message: unknown) => fetch(engine().route('hostile'), { method: 'POST', headers, body: JSON.stringify(message) });
  const open = async (accept = HEADERS.accept): Promise<Record<string, string>> => {
    const init = await post({ ...HEADERS, accept }, initialize);
    expect(init.status).toBe(200);
    await init.text();
    const session = { ...HEADERS, accept, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    expect((await post(session, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    return session;
  };
  const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get-report', arguments: { n: id } } });

  it('survives an answer nested half a million deep for a client that takes only JSON, and hands it over as sent', async () => {
    // A megabyte of brackets: the output stage passes it clean, and JSON.parse reads it; the
    // engine's JSON.stringify of it, when it gathered the JSON body, overflowed the stack on
    // the relay's write path and killed the engine with every session in it.
    const depth = 500_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    answer = (id, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"ok"}],"structuredContent":{"rows":${deep}}}}`);
    };
    const session = await open('application/json');
    const answered = await post(session, call(2));
    expect(answered.status).toBe(200);
    const text = await answered.text();
    expect(text).toBe(`{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"ok"}],"structuredContent":{"rows":${deep}}}}`);
    expect(engine().process.exitCode).toBeNull();
    expect((await engine().api('GET', '/health')).status).toBe(200);
    // A batch of two gathers into one body the same way.
    const batch = await post(session, [call(3), call(4)]);
    expect(batch.status).toBe(200);
    const members = JSON.parse(await batch.text()) as Array<{ id: number }>;
    expect(members.map((m) => m.id).sort()).toEqual([3, 4]);
  });

  it("lets go of a POST's stream once every request in it is answered, and reads none of a POST that carried no request", async () => {
    // Each answer, then the stream left open for ever; a notification's POST answered with a
    // stream that never ends. Read to their ends, these held one engine socket per message
    // sent (for the session's life), and the held notifications/initialized held every later request.
    answer = (id, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `report ${id}` }] } })}\n\n`);
    };
    holdNotices = true;
    try {
      const session = await open();
      for (let id = 10; id < 30; id++) {
        const answered = await post(session, call(id)).then((r) => r.text());
        expect(answered).toContain(`report ${id}`);
      }
      // The session's GET stream (405 here) and a keep-alive connection or two, not one per message.
      await waitFor(() => hostile.openConnections() < 5, 'the answered streams to be let go', 10_000);
      expect((await post(session, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' })).status).toBe(202);
      expect(await post(session, call(30)).then((r) => r.text())).toContain('report 30');
    } finally {
      holdNotices = false;
    }
  }, 30_000);
});
