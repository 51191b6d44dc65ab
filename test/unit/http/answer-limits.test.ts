import { describe, expect, it } from 'vitest';
import { AnswersOverBudget, AnswerTooLarge, createAnswerBudget, readExcerpt, readTextBounded } from '../../../main/firewall/http/answer-limits.js';
import { createUpstream } from '../../../main/firewall/http/upstream.js';
import { drive } from './drive-upstream.js';

/** A body of `chunks` chunks of `size` bytes, counting how many were pulled and whether it was cancelled. */
function countedBody(chunks: number, size: number, fill = 0x61) {
  const stats = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled === chunks) return controller.close();
      stats.pulled++;
      controller.enqueue(new Uint8Array(size).fill(fill));
    },
    cancel() {
      stats.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stats, response: (init?: ResponseInit) => new Response(body, init) };
}

describe('bounded reads of a remote answer', () => {
  it('reads a body up to the limit, and refuses and cancels one past it without reading on', async () => {
    expect(await readTextBounded(countedBody(4, 1000).response(), 4000)).toBe('a'.repeat(4000));
    const endless = countedBody(1_000_000, 1000);
    await expect(readTextBounded(endless.response(), 10_000)).rejects.toThrow(AnswerTooLarge);
    expect(endless.stats.pulled).toBe(11);
    expect(endless.stats.cancelled).toBe(true);
  });

  it("takes an error page's excerpt from what came in time when the body then stalls", async () => {
    const stalling = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('upstream exploded'));
        // …and nothing more, never an end.
      },
    });
    const started = Date.now();
    expect(await readExcerpt(new Response(stalling, { status: 500 }), 200, 100)).toBe('upstream exploded');
    // The limit here is 0.1 s; the default one (a limit not passed on) is 5 s. A stall waited
    // out for good ends in the test's own time limit.
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a budget takes bytes up to its limit, refuses past it without counting them, and takes again what is given back', () => {
    const budget = createAnswerBudget(1000);
    budget.take(600);
    expect(() => budget.take(401)).toThrow(AnswersOverBudget);
    budget.take(400);
    budget.give(600);
    budget.take(600);
    expect(() => budget.take(1)).toThrow(/larger than 1 KiB together at once/);
  });

  it('a bounded read gives back what it took from the budget when it fails', async () => {
    const budget = createAnswerBudget(10_000);
    await expect(readTextBounded(countedBody(20, 1000).response(), 5000, budget)).rejects.toThrow(AnswerTooLarge);
    budget.take(10_000);
  });

  it('takes an error page\'s excerpt from its first bytes only', async () => {
    const page = countedBody(1_000_000, 1000, 0x62);
    expect(await readExcerpt(page.response(), 200)).toBe('b'.repeat(200));
    expect(page.stats.pulled).toBe(1);
    expect(page.stats.cancelled).toBe(true);
  });

  it('a JSON answer over 64 MiB fails its request with why, not the engine', async () => {
    // 65 MiB of one JSON answer: the server would have the engine hold all of it.
    const huge = countedBody(65, 1024 * 1024);
    const upstream = createUpstream({ server: 'big', url: 'https://big.example/mcp', fetch: (async () => huge.response({ headers: { 'content-type': 'application/json' } })) as typeof fetch });
    const { send, answer } = drive(upstream);
    send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'dump', arguments: {} } });
    expect(await answer(1)).toMatchObject({ error: { code: -32004, message: "remote server 'big' at https://big.example/mcp sent a message larger than 64 MiB, more than the firewall checks; it was dropped" } });
    expect(huge.stats.cancelled).toBe(true);
    upstream.kill();
  });

  it("an error page quoting the firewall's token reaches the client without it", async () => {
    const token = 'tok_9f8e7d6c5b4a39281706';
    const echoing = (async (_url: string | URL, init: RequestInit) =>
      new Response(`{"error":"invalid token ${new Headers(init.headers).get('authorization')?.slice('Bearer '.length)} for this resource"}`, { status: 400, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const upstream = createUpstream({ server: 'echo', url: 'https://echo.example/mcp', authorization: `Bearer ${token}`, fetch: echoing });
    const { send, answer } = drive(upstream);
    send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const failed = (await answer(1)) as { error: { message: string } };
    expect(failed.error.message).toContain('invalid token [credential] for this resource');
    expect(failed.error.message).not.toContain(token.slice(0, 8));
    upstream.kill();
  });
});

