import { describe, expect, it } from 'vitest';
import { AnswersOverBudget, type AnswerBudget } from '../../../main/firewall/http/answer-limits.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { drive } from './drive-upstream.js';

const KIB = 1024;
const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'dump', arguments: {} } });

/**
 * A server answering every tools/call with about `size` bytes: the first `held` answers
 * stop short of their end until release(); each request's answer comes as `type`.
 */
function bigAnswers(size: number, held: number, type: 'application/json' | 'text/event-stream') {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let answered = 0;
  const fetch = (async (_url: string, init: RequestInit) => {
    const message = JSON.parse(String(init.body)) as { id?: number; method: string };
    if (message.method === 'initialize') {
      return new Response(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'big', version: '1' } } }), { headers: { 'content-type': 'application/json' } });
    }
    if (message.id === undefined) return new Response(null, { status: 202 });
    const json = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'x'.repeat(size) }] } });
    const text = type === 'text/event-stream' ? `event: message\ndata: ${json}\n\n` : json;
    const hold = answered++ < held;
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes.slice(0, bytes.length - 10));
        if (hold) await released;
        controller.enqueue(bytes.slice(bytes.length - 10));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': type } });
  }) as typeof globalThis.fetch;
  return { fetch, release };
}

/** As createAnswerBudget, written out here: the adapter must honour any budget it is given. */
function countingBudget(limit: number): AnswerBudget & { held: () => number } {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > limit) throw new AnswersOverBudget(limit);
      held += bytes;
    },
    give: (bytes) => void (held -= bytes),
    held: () => held,
  };
}

describe("one server's answers held at once, all its sessions together", () => {
  it.each(['application/json', 'text/event-stream'] as const)('refuses an answer past the budget while others are held (%s), and takes it again once they are through', async (type) => {
    const server = bigAnswers(40 * KIB, 2, type);
    const budget = countingBudget(100 * KIB);
    // Two sessions of one server, sharing its budget.
    const first = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: server.fetch, answerBudget: budget });
    const second = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: server.fetch, answerBudget: budget });
    const a = drive(first);
    const b = drive(second);
    a.send(call(1));
    b.send(call(2));
    // 80 KiB held by the two answers not yet whole: a third of 40 KiB does not fit.
    await waitFor(() => budget.held() >= 80 * KIB, 'both unfinished answers to be held');
    b.send(call(3));
    expect(await b.answer(3)).toMatchObject({ error: { code: -32004, message: expect.stringMatching(/^remote server 'big' at https:\/\/big\.example\/mcp sent answers larger than 100 KiB together at once, more than the firewall holds for one server; this one was dropped/) } });
    server.release();
    expect(await a.answer(1)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    expect(await b.answer(2)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    // Taken by the relay: the budget is free again.
    b.send(call(4));
    expect(await b.answer(4)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    // Everything given back, nothing twice: once it is all back, a little longer for a second give-back to show.
    await waitFor(() => budget.held() <= 0, 'the budget to be given back');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(budget.held()).toBe(0);
    first.kill();
    second.kill();
  });
});
