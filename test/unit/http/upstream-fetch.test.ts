import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpstreamFetch, upstreamFetch } from '../../../main/firewall/http/upstream-fetch.js';

// The interposer's upstream requests go through upstreamFetch instead of the global fetch
// (cheaper per request): it must answer as fetch would wherever the adapters look.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

describe('upstreamFetch', () => {
  it('sends the method, headers and body, and answers with status, every header and the body', async () => {
    const url = await serve((req, res, body) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'content-type': 'text/event-stream', 'mcp-session-id': 'S1', 'x-seen': `${req.method} ${req.headers.authorization} ${req.headers['content-length']}` });
      res.write(`data: ${body}\n\n`);
      setTimeout(() => res.end('data: later\n\n'), 20);
    });
    const response = await upstreamFetch(url, { method: 'POST', headers: { authorization: 'Bearer T', 'content-type': 'application/json' }, body: '{"é":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('mcp-session-id')).toBe('S1');
    expect(response.headers.get('x-seen')).toBe('POST Bearer T 8');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('data: {"é":1}\n\ndata: later\n\n');
  });

  it('refuses a redirect when asked to, and fails as fetch does when nobody listens', async () => {
    const url = await serve((_req, res) => res.writeHead(307, { location: 'https://elsewhere.example/' }).end());
    await expect(upstreamFetch(url, { redirect: 'error' })).rejects.toThrow(TypeError);
    const closed = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await upstreamFetch(closed).then(() => null, (error: unknown) => error as TypeError & { cause?: { code?: string } });
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused?.cause?.code).toBe('ECONNREFUSED');
  });

  it('gives a 204 no body, and an abort fails the request, or the body once it is being read', async () => {
    const noContent = await serve((_req, res) => res.writeHead(204).end());
    expect((await upstreamFetch(noContent, { method: 'DELETE' })).body).toBeNull();

    const hanging = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: first\n\n'));
    const beforeAnswer = new AbortController();
    beforeAnswer.abort(new Error('session ended'));
    await expect(upstreamFetch(hanging, { signal: beforeAnswer.signal })).rejects.toThrow('session ended');
    const midBody = new AbortController();
    const response = await upstreamFetch(hanging, { signal: midBody.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    midBody.abort(new Error('session ended'));
    await expect(reader.read()).rejects.toThrow('session ended');
  });

  it('gives up on a server that accepts and never answers, as fetch does after its headers timeout', async () => {
    const silent = await serve(() => undefined);
    const failure = await createUpstreamFetch(100)(silent, { method: 'POST', body: '{}' }).then(() => null, (error: unknown) => error as TypeError & { cause?: { code?: string } });
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure?.cause?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    // The body is not timed: a quiet SSE stream stays open past the same 100 ms.
    const quiet = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n'));
    const response = await createUpstreamFetch(100)(quiet);
    const reader = response.body!.getReader();
    await reader.read();
    const next = await Promise.race([reader.read().then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 300))]);
    expect(next).toBe('still open');
    await reader.cancel();
  });
});

