import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareInterposer, type BareInterposer } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';

const KIB = 1024;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'peak', version: '1' } } });
const pause = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

describe("a session's GET stream while another session of the server fills its answer budget", () => {
  let bare: BareInterposer;
  // The server's own streams (one per session) and the answer it holds unfinished.
  const serverStreams: ServerResponse[] = [];
  let finishHeld: () => void = () => {};
  let answerSent = false;

  beforeAll(async () => {
    bare = await startBareInterposer('mcpfw-get-budget-', ({ res, message }) => {
      // A ping answered with 90 KiB, all but its end held until finishHeld().
      const text = event({ jsonrpc: '2.0', id: message.id, result: { pad: 'x'.repeat(90 * KIB) } });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(text.slice(0, -10));
      finishHeld = () => res.end(text.slice(-10));
      answerSent = true;
    }, {
      onGet: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        serverStreams.push(res);
      },
      interposer: { answerBudgetBytes: 100 * KIB },
    });
  });
  afterAll(() => bare.close());

  const open = async () => {
    const init = await fetch(bare.endpoint, { method: 'POST', headers: HEADERS, body: initialize });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    return session;
  };

  it('drops the message that does not fit (telling the client and the audit trail) and still carries the next one', async () => {
    const a = await open();
    const b = await open();
    await waitFor(() => serverStreams.length >= 2, "both sessions' GET streams", 20_000);
    expect(serverStreams).toHaveLength(2);
    // B's client listens on its GET stream.
    const listening = await fetch(bare.endpoint, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': b['mcp-session-id'] } });
    expect(listening.status).toBe(200);
    let heard = '';
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of listening.body!) heard += decoder.decode(chunk as Uint8Array, { stream: true });
    })().catch(() => {});
    // A's answer holds 90 KiB of the 100 while it is read.
    const answerA = fetch(bare.endpoint, { method: 'POST', headers: a, body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }) }).then((r) => r.text());
    // Sent by the server, then a moment for the firewall to read it (no event tells that it has).
    await waitFor(() => answerSent, "A's answer to be sent", 20_000);
    await pause(150);
    for (const stream of serverStreams) stream.write(event({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'y'.repeat(20 * KIB) } }));
    // The peak lasts until B's client is told its message was dropped.
    await waitFor(() => heard.includes('sent answers larger than 100 KiB'), "B's client to be told of the drop", 20_000);
    finishHeld();
    expect(await answerA).toContain('"id":5');
    // The peak has passed: the server's next message reaches B.
    for (const stream of serverStreams) stream.write(event({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
    await waitFor(() => heard.includes('list_changed'), 'the list_changed after the peak', 20_000);
    expect(heard).toContain('notifications/tools/list_changed');
    expect(heard).toMatch(/"logger":"mcp-firewall","data":"remote server 'bare' at \S+ sent answers larger than 100 KiB together at once/);
    expect(heard).not.toContain('yyyy');
    const rows = bare.running.engine.db.prepare("SELECT event, decision, server_name, reason FROM mcp_audit WHERE rule_id = 'answer-budget'").all();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]).toMatchObject({ event: 'protocol', decision: 'ERROR', server_name: 'bare', reason: expect.stringContaining('sent answers larger than 100 KiB together at once') });
  });
});
