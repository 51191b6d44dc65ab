import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BareRemote } from './bare-remote.js';

/** A request a bare legacy server got, and how to answer it: on the session's stream. */
export interface BareLegacyRequest {
  message: { id?: string | number; method?: string; params?: unknown };
  /** Sends `message` as a `message` event on the session's stream. */
  send(message: unknown): void;
}

/**
 * A legacy HTTP+SSE server (MCP 2024-11-05) written by hand: `GET /sse` opens the stream and
 * names `/messages` as the endpoint, every POST there gets 202, and the handshake (initialize,
 * the firewall's tools/list answered with `tools`) is answered on the stream; every other
 * request goes to `onRequest`, which answers it on the stream, or never.
 */
export async function startBareLegacyRemote(onRequest: (request: BareLegacyRequest) => void, tools: unknown[] = []): Promise<BareRemote> {
  let stream: ServerResponse | null = null;
  const send = (message: unknown) => void stream?.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/sse') {
      stream = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return void res.write('event: endpoint\ndata: /messages?sessionId=1\n\n');
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/messages')) return void res.writeHead(404).end();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(202).end('Accepted');
      const message = JSON.parse(body) as BareLegacyRequest['message'];
      if (message.id === undefined) return;
      if (message.method === 'initialize') return send({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'bare-legacy', version: '1' } } });
      if (message.method === 'tools/list') return send({ jsonrpc: '2.0', id: message.id, result: { tools } });
      onRequest({ message, send });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sse`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
