import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { drive } from './drive-upstream.js';
import { freePort, startHeaderServer, type RemoteServer } from '../../helpers/remote-server.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

describe('the upstream adapter (a remote server dressed as a child process)', () => {
  let remote: RemoteServer;
  beforeAll(async () => {
    remote = await startHeaderServer();
  });
  afterAll(async () => {
    await remote.stop();
  });

  it("sends the firewall's own credential (keychain AUTHORIZATION) and the session id, then DELETEs the session on kill", async () => {
    const upstream = createUpstream({ server: 'headers', url: remote.url, authorization: 'Bearer firewall-own-token' });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    expect(((await answer(1))?.result as { serverInfo: { name: string } }).serverInfo.name).toBe('header-server');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-seen-headers', arguments: {} } });
    expect(JSON.stringify(await answer(2))).toContain('firewall-own-token');
    const closed = new Promise((r) => upstream.once('close', r));
    upstream.kill();
    await closed;
    const seen = (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Array<{ method: string; authorization: string | null; session: string | null }>;
    expect(seen.every((s) => s.authorization === 'Bearer firewall-own-token')).toBe(true);
    expect(seen.map((s) => s.method)).toContain('DELETE');
    expect(seen.filter((s) => s.method !== 'POST' || s.session !== null).every((s) => s.session === seen[1]!.session)).toBe(true);
  });

  it('answers a request with a JSON-RPC error naming the server when it cannot be reached', async () => {
    const upstream = createUpstream({ server: 'gone', url: `http://127.0.0.1:${await freePort()}/mcp` });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    expect(await answer(1)).toMatchObject({ id: 1, error: { code: -32004, message: expect.stringMatching(/remote server 'gone' .* unreachable .*ECONNREFUSED/) } });
    upstream.kill();
  });

  it('turns an HTTP error into a JSON-RPC error for that request', async () => {
    const upstream = createUpstream({ server: 'headers', url: `http://127.0.0.1:${remote.port}/mcp`, fetch: async () => new Response('no', { status: 401 }) });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    expect(await answer(1)).toMatchObject({ error: { message: expect.stringContaining('mcp-firewall secrets set headers AUTHORIZATION') } });
    upstream.kill();
  });

  it('splits credentials by action class: only a write or destructive call carries the write token', async () => {
    const sent: Array<{ what: string; authorization: string | null }> = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as { id?: number; method?: string; params?: { name?: string } }) : null;
      sent.push({ what: body ? `${body.method}${body.params?.name ? ` ${body.params.name}` : ''}` : String(init.method), authorization: headers.get('authorization') });
      if (!body || body.id === undefined) return new Response(null, { status: 202 });
      const result = body.method === 'initialize' ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'fake', version: '1' } } : { content: [] };
      return new Response(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 'upstream-session' } });
    }) as typeof fetch;
    const classes = new Map<number, 'read' | 'write' | 'destructive'>([[3, 'read'], [4, 'write'], [5, 'destructive']]);
    const upstream = createUpstream({
      server: 'crm', url: 'https://crm.example.com/mcp', fetch: fakeFetch,
      authorization: 'Bearer WRITE', readAuthorization: 'Bearer READ', actionClassOf: (id) => classes.get(id as number),
    });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_contact', arguments: {} } });
    send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'update_contact', arguments: {} } });
    send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'delete_contact', arguments: {} } });
    send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'unclassified', arguments: {} } });
    for (const id of [2, 3, 4, 5, 6]) await answer(id);
    const closed = new Promise((r) => upstream.once('close', r));
    upstream.kill();
    await closed;
    const token = (what: string) => sent.find((s) => s.what === what)?.authorization;
    expect(token('initialize')).toBe('Bearer READ');
    expect(token('tools/list')).toBe('Bearer READ');
    expect(token('tools/call get_contact')).toBe('Bearer READ');
    expect(token('tools/call update_contact')).toBe('Bearer WRITE');
    expect(token('tools/call delete_contact')).toBe('Bearer WRITE');
    expect(token('tools/call unclassified')).toBe('Bearer READ'); // unknown: least privilege (a write is then refused upstream)
    expect(token('DELETE')).toBe('Bearer READ');
  });
  it('sends nothing after notifications/initialized until the server has taken it', async () => {
    const events: string[] = [];
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as { id?: number; method?: string }) : null;
      const what = body?.method ?? String(init.method);
      events.push(`sent ${what}`);
      if (body?.method === 'notifications/initialized') {
        // A slow 202: a request sent meanwhile would overtake the notification.
        await new Promise((resolve) => setTimeout(resolve, 100));
        events.push(`taken ${what}`);
      }
      if (!body || body.id === undefined) return new Response(null, { status: 202 });
      const result = body.method === 'initialize' ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'fake', version: '1' } } : { tools: [] };
      return new Response(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'strict', url: 'https://strict.example.com/mcp', fetch: fakeFetch });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 'mcp-firewall/1', method: 'tools/list', params: {} });
    await answer('mcp-firewall/1');
    upstream.kill();
    // (The GET stream opens once the notification is taken, at no fixed place among the rest.)
    expect(events.filter((e) => e !== 'sent GET').slice(0, 4)).toEqual(['sent initialize', 'sent notifications/initialized', 'taken notifications/initialized', 'sent tools/list']);
  });

  it('reads a large initialize answer whole (its protocol version goes on every later request) and matches large results by their id', async () => {
    const versions: Array<string | null> = [];
    const big = 'x'.repeat(8192);
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      versions.push(new Headers(init.headers).get('mcp-protocol-version'));
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as { id?: number; method?: string }) : null;
      if (!body || body.id === undefined) return new Response(null, { status: 202 });
      // The TypeScript SDK's layout: result first, id last (what the relay sniffs instead of parsing).
      const result = body.method === 'initialize' ? { protocolVersion: '2025-03-26', instructions: big, capabilities: {}, serverInfo: { name: 'fake', version: '1' } } : { content: [{ type: 'text', text: big }] };
      return new Response(JSON.stringify({ result, jsonrpc: '2.0', id: body.id }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'big', url: 'https://big.example.com/mcp', fetch: fakeFetch });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    expect(await answer(1)).toMatchObject({ result: { protocolVersion: '2025-03-26' } });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fetch', arguments: {} } });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fetch', arguments: {} } });
    expect(await answer(2)).toMatchObject({ result: { content: [{ text: big }] } });
    // Each answered on its own: none failed as "ended its answer without answering".
    expect(await answer(3)).toMatchObject({ result: { content: [{ text: big }] } });
    upstream.kill();
    // Both calls (and the DELETE behind kill) carried the version the large answer named.
    expect(versions.slice(1, 3)).toEqual(['2025-03-26', '2025-03-26']);
  });
});

describe('an answer that is neither JSON nor an event stream', () => {
  it('is not read (its body is cancelled) and the request gets a JSON-RPC error', async () => {
    const CHUNK = 64 * 1024;
    const TOTAL_CHUNKS = 128; // 8 MB on offer: far more than anything should read
    let pulled = 0;
    let cancelled = false;
    const page = new TextEncoder().encode(`<html>${'x'.repeat(CHUNK - 6)}`);
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as { id?: number; method?: string }) : null;
      if (!body || body.id === undefined) return new Response(null, { status: 202 });
      if (body.method === 'initialize') {
        const result = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'fake', version: '1' } };
        return new Response(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
      }
      // A 200 error page (a proxy's, say) of many megabytes, counting what is pulled from it.
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled++ >= TOTAL_CHUNKS) return controller.close();
          controller.enqueue(page);
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(stream, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'html', url: 'https://html.example.com/mcp', fetch: fakeFetch });
    const { send, answer, unparsed } = drive(upstream);
    send(INITIALIZE);
    expect(await answer(1)).toMatchObject({ result: { protocolVersion: '2025-06-18' } });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'anything', arguments: {} } });
    expect(await answer(2)).toMatchObject({ id: 2, error: { message: "remote server 'html' ended its answer without answering this request" } });
    upstream.kill();
    expect(cancelled).toBe(true);
    // The stream's own read-ahead at most: the page was not read, nor any of it relayed.
    expect(pulled).toBeLessThanOrEqual(2);
    expect(unparsed).toEqual([]);
  });
});
