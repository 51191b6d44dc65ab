import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenOnGetStream, startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'reopen', version: '1' } } });
const pause = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;
// Short waits, so a test sees several attempts in well under a second.
const REOPEN = { getStreamReopen: { initialMs: 10, maxMs: 40 } };

// Generous: a busy box may be slow to get there, never wrong. Each test then checks what came.
const until = (check: () => boolean, what: string) => waitFor(check, what, 20_000);

const openStream = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
};

describe("a remote server's GET stream (server-initiated messages)", () => {
  const closing = closedAfterEach<BareInterposer>();

  const open = async (b: BareInterposer) => {
    const init = await fetch(b.endpoint, { method: 'POST', headers: HEADERS, body: initialize });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(b.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    return session;
  };

  it('is opened again after the server ends it, and a later server-initiated message still reaches the client', async () => {
    const streams: ServerResponse[] = [];
    const bare = closing(await startBareInterposer('mcpfw-get-reopen-', () => {}, {
      onGet: (res) => {
        // The first stream is answered, then ended at once (a proxy timing it out, say); then one fails with 503.
        if (streams.length === 1) return void (streams.push(res), res.writeHead(503).end('busy'));
        openStream(res);
        streams.push(res);
        if (streams.length === 1) res.end();
      },
      interposer: REOPEN,
    }));
    const session = await open(bare);
    const listening = await listenOnGetStream(bare, session['mcp-session-id']!);
    await until(() => streams.length >= 3, 'the third GET stream');
    expect(streams).toHaveLength(3);
    streams[2]!.write(event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
    await until(() => listening.heard().includes('list_changed'), 'the list_changed on the client GET stream');
    expect(listening.heard()).toContain('notifications/tools/list_changed');
    // One row for the session, however many times its stream is lost.
    const rows = bare.running.engine.db.prepare("SELECT event, decision, server_name, reason FROM mcp_audit WHERE rule_id = 'get-stream'").all();
    listening.hangUp();
    expect(rows).toEqual([expect.objectContaining({ event: 'protocol', decision: 'ERROR', server_name: 'bare', reason: expect.stringContaining("remote server 'bare' lost its GET stream (server-initiated messages): the server closed it; the firewall opens it again") })]);
  });

  it('asks no more after a 405 (the server offers no GET stream)', async () => {
    let gets = 0;
    const bare = closing(await startBareInterposer('mcpfw-get-405-', () => {}, {
      onGet: (res) => {
        gets++;
        res.writeHead(405).end();
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => gets >= 1, 'the first GET');
    await pause(300);
    expect(gets).toBe(1);
    expect(bare.running.engine.db.prepare("SELECT count(*) AS n FROM mcp_audit WHERE rule_id = 'get-stream'").get()).toEqual({ n: 0 });
  });

  it('asks no more once the server no longer knows the session (404)', async () => {
    let gets = 0;
    const bare = closing(await startBareInterposer('mcpfw-get-404-', () => {}, {
      onGet: (res) => {
        gets++;
        if (gets === 1) return void (openStream(res), res.end());
        res.writeHead(404).end();
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => gets >= 2, 'the second GET');
    await pause(300);
    expect(gets).toBe(2);
  });

  it('opens no GET stream after the client ends its session with DELETE', async () => {
    let gets = 0;
    let remoteDeletes = 0;
    const bare = closing(await startBareInterposer('mcpfw-get-delete-', () => {}, {
      onGet: (res) => {
        gets++;
        // Ended at once each time: the firewall keeps asking, until the session ends.
        openStream(res);
        res.end();
      },
      onDelete: (res) => {
        remoteDeletes++;
        res.writeHead(200).end();
      },
      interposer: REOPEN,
    }));
    const session = await open(bare);
    await until(() => gets >= 3, 'three GETs');
    expect(gets).toBeGreaterThanOrEqual(3);
    expect((await fetch(bare.endpoint, { method: 'DELETE', headers: session })).status).toBe(200);
    // The session has wound down once the firewall ends the remote one; a GET sent before that may still land just after.
    await until(() => remoteDeletes > 0, 'the remote session to be ended');
    await pause(100);
    const after = gets;
    await pause(300);
    expect(gets).toBe(after);
  });

  it('asks the server to replay what it missed: the reopened stream carries the last usable event id seen', async () => {
    const asked: Array<string | undefined> = [];
    const bare = closing(await startBareInterposer('mcpfw-get-resume-', () => {}, {
      onGet: (res) => {
        asked.push(res.req.headers['last-event-id'] as string | undefined);
        openStream(res);
        if (asked.length > 1) return;
        res.write(`id: ev-7\n${event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}`);
        // One no header could carry is not sent back: it would fail every reopen.
        res.write(`id: bad\u0001id\n${event({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' })}`);
        res.end(event({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' }));
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => asked.length >= 2, 'the reopened GET');
    expect(asked.slice(0, 2)).toEqual([undefined, 'ev-7']);
  });

  it('starts afresh after an event too large to read, which a resumed stream would only send again', async () => {
    const asked: Array<string | undefined> = [];
    const bare = closing(await startBareInterposer('mcpfw-get-oversize-', () => {}, {
      onGet: (res) => {
        asked.push(res.req.headers['last-event-id'] as string | undefined);
        openStream(res);
        if (asked.length > 1) return;
        res.write(`id: ev-1\n${event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}`);
        // Past the 64 MiB bound: never read, so its id (ev-2) is never kept.
        res.write('id: ev-2\nevent: message\ndata: "');
        const chunk = 'x'.repeat(1024 * 1024);
        for (let i = 0; i < 65; i++) res.write(chunk);
        res.end('"\n\n');
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => asked.length >= 2, 'the reopened GET');
    expect(asked.slice(0, 2)).toEqual([undefined, undefined]);
  });

  it('sends no Last-Event-ID once the server cleared it with an empty id field, and keeps one across a reopen until then', async () => {
    const asked: Array<string | undefined> = [];
    const bare = closing(await startBareInterposer('mcpfw-get-clear-', () => {}, {
      onGet: (res) => {
        asked.push(res.req.headers['last-event-id'] as string | undefined);
        openStream(res);
        if (asked.length === 1) return void res.end(`id: ev-7\n${event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}`);
        // The second stream's events name no id: ev-7 stands; then an empty id clears it.
        if (asked.length === 2) return void res.end(`${event({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' })}id:\n${event({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' })}`);
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => asked.length >= 3, 'the third GET');
    expect(asked.slice(0, 3)).toEqual([undefined, 'ev-7', undefined]);
  });

  it('waits as long as a 503 Retry-After asks before opening it again, not its own shorter backoff', async () => {
    const at: number[] = [];
    const bare = closing(await startBareInterposer('mcpfw-get-retry-after-', () => {}, {
      onGet: (res) => {
        at.push(Date.now());
        if (at.length === 1) return void res.writeHead(503, { 'retry-after': '1' }).end('busy');
        openStream(res);
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => at.length >= 2, 'the reopened GET');
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
  });

  it('waits as long as the stream’s retry field asks before opening it again', async () => {
    const at: number[] = [];
    const bare = closing(await startBareInterposer('mcpfw-get-sse-retry-', () => {}, {
      onGet: (res) => {
        at.push(Date.now());
        openStream(res);
        if (at.length === 1) res.end(`retry: 600\n${event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}`);
      },
      interposer: REOPEN,
    }));
    await open(bare);
    await until(() => at.length >= 2, 'the reopened GET');
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(550);
  });
});
