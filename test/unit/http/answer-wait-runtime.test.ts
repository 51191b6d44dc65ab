import { describe, expect, it } from 'vitest';
import { createAnswerWait, MAX_REMEMBERED_TASKS, MAX_UNSENT_CALLS } from '../../../main/firewall/http/answer-wait.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { drive } from './drive-upstream.js';
import { startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import { answerAfterSilence, openSession, RUNTIME_POLICY as POLICY } from './answer-wait-fixtures.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const TOOLS = [{ name: 'long_report', description: 'Builds a report', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }];

describe("a POST's silent answer behind the interposer, under the policy's runtime limits", () => {
  const closing = closedAfterEach<BareInterposer>();

  it('is not cut off for silence while the call is within its own max_runtime_sec, longer than the idle bound', async () => {
    const bare = closing(await startBareInterposer('mcpfw-answer-wait-', ({ res, message }) => answerAfterSilence(res, message.id, 800), { interposer: { postStreamIdleMs: 200 }, policy: POLICY, tools: TOOLS }));
    const session = await openSession(bare.endpoint, INITIALIZE);
    const called = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'long_report', arguments: {} } }) });
    expect(await called.json()).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: 'done' }] } });
    expect(bare.running.engine.db.prepare("SELECT COUNT(*) AS n FROM mcp_audit WHERE rule_id = 'answer-idle'").get()).toEqual({ n: 0 });
  });

  it('gives a JSON answer whose body pauses the same wait as a stream', async () => {
    const bare = closing(await startBareInterposer('mcpfw-answer-wait-', ({ res, message }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"jsonrpc":"2.0",');
      const timer = setTimeout(() => res.end(`"id":${JSON.stringify(message.id)},"result":{"content":[{"type":"text","text":"done"}]}}`), 800);
      res.on('close', () => clearTimeout(timer));
    }, { interposer: { postStreamIdleMs: 200 }, policy: POLICY, tools: TOOLS }));
    const session = await openSession(bare.endpoint, INITIALIZE);
    const called = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'long_report', arguments: {} } }) });
    expect(await called.json()).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: 'done' }] } });
  });

  it('still cuts off a request the policy sets no longer limit for at the idle bound', async () => {
    const bare = closing(await startBareInterposer('mcpfw-answer-wait-', ({ res, message }) => answerAfterSilence(res, message.id, 5_000), { interposer: { postStreamIdleMs: 200 }, policy: POLICY, tools: TOOLS }));
    const session = await openSession(bare.endpoint, INITIALIZE);
    const pinged = await fetch(bare.endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) });
    expect(await pinged.json()).toMatchObject({ id: 2, error: { message: expect.stringContaining('sent no message on the stream answering this request for 200 ms') } });
  });
});

/** Requests under `ids`, as one POST carries them (what they ask does not matter here). */
const requests = (...ids: Array<string | number>) => ids.map((id) => ({ jsonrpc: '2.0' as const, id, method: 'tools/call' }));

describe('the silence bound of one POST', () => {
  it('is the longest max_runtime_sec among its calls, the default for any other request, never below the floor', () => {
    const wait = createAnswerWait(200);
    wait.setDefault(0.1);
    expect(wait.idleMs(requests(7))).toBe(200);
    wait.setDefault(1);
    expect(wait.idleMs(requests(7))).toBe(1_000);
    wait.dispatched(2, 30);
    wait.dispatched(3, 5);
    expect(wait.idleMs(requests(3, 2, 7))).toBe(30_000);
    // Each call is sent once: a later request under its id is not that call.
    expect(wait.idleMs(requests(2))).toBe(1_000);
  });

  it('keeps the longer limit of two calls in flight under one id until both are sent', () => {
    const wait = createAnswerWait(200);
    wait.setDefault(0.1);
    wait.dispatched('a', 2);
    wait.dispatched('a', 9);
    expect(wait.idleMs(requests('a'))).toBe(9_000);
    expect(wait.idleMs(requests('a'))).toBe(9_000);
    expect(wait.idleMs(requests('a'))).toBe(200);
  });
});

describe('what the silence bound remembers', () => {
  it('forgets the calls of a POST the server refused, as of one it answered', async () => {
    const wait = createAnswerWait(200);
    wait.setDefault(0.1);
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const message = JSON.parse(String(init.body)) as { id?: number; method: string };
      if (message.method === 'initialize') return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'down', version: '1' } } }), { headers: { 'content-type': 'application/json', 'mcp-session-id': 's' } });
      return new Response('overloaded', { status: 500 });
    }) as typeof fetch;
    const upstream = createUpstream({ server: 'down', url: 'https://down.example/mcp', fetch: fakeFetch, answerIdleMs: (posted) => wait.idleMs(posted) });
    const { send, answer } = drive(upstream);
    send(INITIALIZE);
    await answer(1);
    wait.dispatched(2, 30);
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'long_report', arguments: {} } });
    expect(await answer(2)).toMatchObject({ error: { message: expect.stringContaining('500') } });
    // The refused call's 30 s is gone: a later request under id 2 waits the default.
    expect(wait.idleMs(requests(2))).toBe(200);
    upstream.kill();
  });

  it('keeps at most MAX_UNSENT_CALLS calls never sent, forgetting the oldest', () => {
    const wait = createAnswerWait(200);
    wait.setDefault(0.1);
    for (let id = 0; id <= MAX_UNSENT_CALLS; id++) wait.dispatched(id, 30);
    expect(wait.idleMs(requests(0))).toBe(200);
    expect(wait.idleMs(requests(MAX_UNSENT_CALLS))).toBe(30_000);
    expect(wait.idleMs(requests(1))).toBe(30_000);
  });
});

describe("the silence bound of a task's tasks/result", () => {
  const callAsTask = (id: number, tool = 'long_report') => ({ jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name: tool, arguments: {}, task: { ttl: 60_000 } } });
  const created = (id: number, taskId: string) => ({ jsonrpc: '2.0' as const, id, result: { task: { taskId, status: 'working' } } });
  const taskResult = (id: number, taskId: string) => ({ jsonrpc: '2.0' as const, id, method: 'tasks/result', params: { taskId } });

  it("is the max_runtime_sec of the call that created the task, every time it is asked; an unknown task's is the default", () => {
    const wait = createAnswerWait(200);
    wait.setDefault(1);
    wait.dispatched(2, 30);
    expect(wait.idleMs([callAsTask(2)])).toBe(30_000);
    wait.answered(created(2, 'task-a'));
    expect(wait.idleMs([taskResult(3, 'task-a')])).toBe(30_000);
    expect(wait.idleMs([taskResult(4, 'task-a')])).toBe(30_000);
    expect(wait.idleMs([taskResult(5, 'task-b')])).toBe(1_000);
  });

  it('ties no task to a call that did not ask to run as one, nor to one answered with an error', () => {
    const wait = createAnswerWait(200);
    wait.setDefault(1);
    wait.dispatched(2, 30);
    wait.idleMs(requests(2));
    wait.answered(created(2, 'task-a'));
    wait.dispatched(3, 30);
    wait.idleMs([callAsTask(3)]);
    wait.answered({ jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'no' } });
    wait.answered(created(3, 'task-b'));
    expect(wait.idleMs([taskResult(4, 'task-a'), taskResult(5, 'task-b')])).toBe(1_000);
  });

  it('remembers at most MAX_REMEMBERED_TASKS tasks, forgetting the oldest', () => {
    const wait = createAnswerWait(200);
    wait.setDefault(1);
    for (let id = 0; id <= MAX_REMEMBERED_TASKS; id++) {
      wait.dispatched(id, 30);
      wait.idleMs([callAsTask(id)]);
      wait.answered(created(id, `task-${id}`));
    }
    expect(wait.idleMs([taskResult(0, 'task-0')])).toBe(1_000);
    expect(wait.idleMs([taskResult(1, 'task-1')])).toBe(30_000);
  });
});
