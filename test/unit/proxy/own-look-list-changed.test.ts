import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOwnLook } from '../../../main/firewall/proxy/own-look.js';

afterEach(() => vi.useRealTimers());

function promptsLook() {
  const sent: Array<{ which: number; page: number }> = [];
  let checks = 0;
  const look = createOwnLook({
    server: 'storm', method: 'prompts/list', field: 'prompts', noun: 'prompts', listNoun: 'prompt list', noneWhen: 'method-not-found',
    send: (which, _cursor, page) => void sent.push({ which, page }),
    check: async () => void (checks += 1),
    closed: () => false,
  });
  const listed = (which: number) => look.answer({ jsonrpc: '2.0', id: `mcp-firewall/${which}`, result: { prompts: [] } }, which, 1);
  return { look, sent, checks: () => checks, listed };
}

describe('the firewall\'s own look at a server that says its list changed', () => {
  it('looks exactly once more for any number of list_changed during a look, and releases requests after that one', async () => {
    const { look, sent, checks, listed } = promptsLook();
    look.start();
    const outcome: Array<string | null> = [];
    expect(look.defer(() => outcome.push(look.unchecked))).toBe(true);
    look.changed();
    look.changed();
    look.changed();
    expect(sent).toHaveLength(1);
    // The first look's answer may show the list from before the change: dropped unchecked.
    listed(sent[0]!.which);
    expect(sent).toHaveLength(2);
    await Promise.resolve();
    expect(checks()).toBe(0);
    expect(outcome).toEqual([]);
    listed(sent[1]!.which);
    await vi.waitFor(() => expect(outcome).toEqual([null]), { timeout: 10_000 });
    expect(checks()).toBe(1);
    expect(look.looking()).toBe(false);
  });

  it('refuses the requests waiting 10 s after they began, however often the server says its list changed just before answering', async () => {
    vi.useFakeTimers();
    const { look, sent, checks, listed } = promptsLook();
    look.start();
    const outcome: Array<string | null> = [];
    look.defer(() => outcome.push(look.unchecked));
    // The storm: each of our lists is answered just after a list_changed, 100 ms apart.
    for (let round = 0; round < 200 && outcome.length === 0; round++) {
      look.changed();
      listed(sent.at(-1)!.which);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatch(/could not check the prompts of 'storm' within 10 s: 'storm' said its prompt list changed before each of \d+ looks ended/);
    // No superseded answer went to the engine.
    expect(checks()).toBe(0);
    // Once the look failed, list_changed starts none (the next request does): the ping-pong stops.
    const before = sent.length;
    for (let round = 0; round < 50; round++) {
      look.changed();
      listed(sent.at(-1)!.which);
    }
    expect(sent).toHaveLength(before);
    expect(look.unchecked).toMatch(/within 10 s/);
    // A request after that starts a look of its own (and waits for it), in its turn: the server
    // was listed close together just now (look-pace.ts), and the turn comes within the deadline.
    expect(look.looking()).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(before + 1);
  });
});
