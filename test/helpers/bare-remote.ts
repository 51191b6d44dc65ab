import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a bare remote server got: its JSON-RPC message and the response to write. */
export interface BareRequest {
  req: IncomingMessage;
  res: ServerResponse;
  message: { id?: string | number; method?: string; params?: unknown };
  /** Every message, when the POST carried a batch (`message` is then its first). */
  batch?: Array<BareRequest['message']>;
}

export interface BareRemote {
  url: string;
  close(): Promise<void>;
}

/**
 * A Streamable HTTP server written by hand (no SDK), for what no SDK server would send. It
 * takes the handshake (initialize, notifications, the firewall's tools/list answered with
 * `tools`, the GET stream refused with 405 unless `onGet` takes it) and hands every other request to `onRequest`.
 */
export async function startBareRemote(
  onRequest: (request: BareRequest) => void,
  onDelete: (res: ServerResponse) => void = (res) => void res.writeHead(200).end(),
  onGet?: (res: ServerResponse) => void,
  tools: unknown[] = [],
): Promise<BareRemote> {
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') return onDelete(res);
    if (req.method === 'GET' && onGet) return onGet(res);
    if (req.method !== 'POST') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as BareRequest['message'] | Array<BareRequest['message']>;
      if (Array.isArray(parsed)) return onRequest({ req, res, message: parsed[0]!, batch: parsed });
      const message = parsed;
      if (message.id === undefined) return void res.writeHead(202).end();
      const json = (result: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      };
      if (message.method === 'initialize') {
        return json({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'bare', version: '1' } }, { 'mcp-session-id': 'bare-session' });
      }
      if (message.method === 'tools/list') return json({ tools });
      onRequest({ req, res, message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
