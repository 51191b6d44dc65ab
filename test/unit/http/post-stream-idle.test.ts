import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { drive } from './drive-upstream.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const INIT_RESULT = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'slow', version: '1' } };
const CALL = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'work', arguments: {} } };
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const encoder = new TextEncoder();
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/** A POST's answer stream the test writes to every `everyMs`, noting whether the firewall cancelled it. */
function tricklingStream(write: (tick: number) => string | null | undefined, everyMs = 30, type = 'text/event-stream') {
  const state = { cancelled: false };
  let timer: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let tick = 0;
      timer = setInterval(() => {
        const text = write(tick++);
        if (text === null) {
          clearInterval(timer);
          return controller.close();
        }
        if (text !== undefined) controller.enqueue(encoder.encode(text));
      }, everyMs);
    },
    cancel() {
      state.cancelled = true;
      clearInterval(timer);
    },
  });
  return { state, response: () => new Response(body, { headers: { 'content-type': type } }) };
}

function upstreamAnsweringCallWith(stream: { response: () => Response }, onStreamIdle: (reason: string) => void) {
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    if (init.method !== 'POST') return new Response(null, { status: 405 });
    const message = JSON.parse(String(init.body)) as { id?: number; method: string };
    if (message.method === 'initialize') return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: INIT_RESULT }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
    if (message.method === 'tools/call') return stream.response();
    return new Response(null, { status: 202 });
  }) as typeof fetch;
  return createUpstream({ server: 'slow', url: 'https://slow.example/mcp', fetch: fakeFetch, postStreamIdleMs: 200, onStreamIdle });
}

/** Opens a session and makes the call `stream` answers: its answer, and the streams given up for idleness. */
async function callAnsweredBy(stream: { response: () => Response }) {
  const idle: string[] = [];
  const upstream = upstreamAnsweringCallWith(stream, (reason) => idle.push(reason));
  const { send, answer } = drive(upstream);
  send(INITIALIZE);
  await answer(1);
  send(CALL);
  const answered = await answer(2);
  upstream.kill();
  return { answered, idle };
}

describe("a POST's answer stream that goes silent", () => {
  it('is given up when nothing comes for the bound, a half-sent event before it: the request gets an error, the stream is cancelled, one row', async () => {
    // The first bytes of an event, a keep-alive, then silence (undefined writes nothing).
    const stream = tricklingStream((tick) => (tick === 0 ? 'event: message\ndata: {"jsonrpc":"2.0",' : tick === 1 ? ': keep-alive\n' : undefined));
    const { answered, idle } = await callAnsweredBy(stream);
    expect(answered).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/^remote server 'slow' at https:\/\/slow\.example\/mcp sent no message on the stream answering this request for 200 ms; the firewall stopped waiting and closed it$/) } });
    expect(stream.state.cancelled).toBe(true);
    expect(idle).toHaveLength(1);
  });

  const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } };
  for (const [what, text] of [
    ['events keep coming (a long tool sending progress)', event(progress)],
    ['keep-alive comments come (a long tool whose client asked for no progress)', ': keep-alive\n'],
  ] as const) {
    it(`is not given up while ${what}, however long it runs in all`, async () => {
      const stream = tricklingStream((tick) => (tick < 12 ? text : tick === 12 ? event({ jsonrpc: '2.0', id: 2, result: { content: [] } }) : null), 50);
      // 650 ms in all, three times the bound, but never 200 ms with nothing on the stream.
      const { answered, idle } = await callAnsweredBy(stream);
      expect(answered).toMatchObject({ result: { content: [] } });
      expect(idle).toEqual([]);
    });
  }
});

describe("a POST's JSON answer whose body stops coming", () => {
  it('is given up when nothing more of it comes for the bound: the request gets an error, the body is cancelled, one row', async () => {
    // The headers, the first bytes of the body, then silence (never ended).
    const stream = tricklingStream((tick) => (tick === 0 ? '{"jsonrpc":"2.0",' : ''), 1_000, 'application/json');
    const { answered, idle } = await callAnsweredBy(stream);
    expect(answered).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/^remote server 'slow' at https:\/\/slow\.example\/mcp sent nothing more of its answer for 200 ms; the firewall stopped waiting and closed it$/) } });
    expect(stream.state.cancelled).toBe(true);
    expect(idle).toHaveLength(1);
  });
});

describe('behind the interposer', () => {
  const closing = closedAfterEach<BareInterposer>();

  it('answers the client with the error, writes a protocol row, and lets the remote socket go', async () => {
    let remoteClosed = false;
    const bare = closing(await startBareInterposer('mcpfw-post-idle-', ({ res }: { res: ServerResponse }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      res.on('close', () => (remoteClosed = true));
      // A request the policy sets no limit for waits defaults.max_runtime_sec (answer-wait.ts): made shorter than the bound.
    }, { interposer: { postStreamIdleMs: 200 }, policy: 'version: v1\ndefaults:\n  max_runtime_sec: 0.1\nrules: []\n' }));
    const init = await fetch(bare.endpoint, { method: 'POST', headers: HEADERS, body: JSON.stringify(INITIALIZE) });
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await (await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const called = await fetch(bare.endpoint, { method: 'POST', headers: { ...session, accept: 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    expect(await called.json()).toMatchObject({ id: 2, error: { message: expect.stringContaining('sent no message on the stream answering this request') } });
    await waitFor(() => remoteClosed, 'the remote socket to be let go', 20_000);
    const rows = bare.running.engine.db.prepare("SELECT event, decision, server_name, reason FROM mcp_audit WHERE rule_id = 'answer-idle'").all();
    expect(rows).toEqual([expect.objectContaining({ event: 'protocol', decision: 'ERROR', server_name: 'bare', reason: expect.stringContaining("remote server 'bare'") })]);
  });
});
