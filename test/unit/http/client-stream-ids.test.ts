import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenOnGetStream, startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';

// The interposer offers no resumption of its own streams (docs/remote-servers.md, "not
// done"), so what it sends must not invite one: the spec (Streamable HTTP, Resumability)
// makes event ids optional, but an id the firewall cannot replay from would have a client
// reconnect with a Last-Event-ID expecting what it missed. Nor may a remote server's ids go
// through: they are unique only among that server's streams, not the firewall's.

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ids', version: '1' } } };

describe("the interposer's event streams to the client", () => {
  const closing = closedAfterEach<BareInterposer>();

  it('frame each message as one `event: message` with one data line and no id, even when the remote server gave its events ids', async () => {
    let getStream: ServerResponse | undefined;
    const bare = closing(await startBareInterposer('mcpfw-client-ids-', ({ res, message }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: post-1\nretry: 5000\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } })}\n\n`);
      res.end(`id: post-2\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} })}\n\n`);
    }, {
      onGet: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        getStream = res;
      },
    }));
    const init = await fetch(bare.endpoint, { method: 'POST', headers: HEADERS, body: JSON.stringify(initialize) });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const posted = await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) })).text();

    const listening = await listenOnGetStream(bare, session['mcp-session-id']!);
    const remoteGet = await waitFor(() => getStream, "the firewall's GET stream to the remote server", 20_000);
    remoteGet.write(`id: get-9\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}\n\n`);
    await waitFor(() => listening.heard().includes('list_changed'), 'the list_changed on the client GET stream', 20_000);
    listening.hangUp();

    for (const stream of [posted, listening.heard()]) {
      const events = stream.split('\n\n').filter((e) => e.trim() !== '');
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event).toMatch(/^event: message\ndata: [^\n]+$/);
    }
    expect(posted).toContain('"working"');
    expect(listening.heard()).toContain('notifications/tools/list_changed');
  });
});
