import { afterEach, describe, expect, it, vi } from 'vitest';
import { filterSession } from '../../helpers/manifest-filter-session.js';

afterEach(() => vi.useRealTimers());

/**
 * A server in front of the filter that answers each of its lists within a millisecond, and
 * says its prompt list changed after the answers `changesAfter` picks: 'at-once' (before the
 * engine has checked the answer), 'after-check' (a millisecond later), or not. `lists()`: the
 * lists it received.
 */
function server(changesAfter: (answered: number) => 'at-once' | 'after-check' | false) {
  const session = filterSession('storm', { prompts: {} });
  let answered = 0;
  let due = 0;
  const lists = () => session.sent.filter((m) => m.method === 'prompts/list');
  const step = () => {
    for (; due > 0; due--) session.filter.listChanged('prompts');
    for (const list of lists().slice(answered)) {
      answered += 1;
      session.filter.ownAnswer({ jsonrpc: '2.0', id: list.id, result: { prompts: [{ name: 'triage' }] } });
      const change = changesAfter(answered);
      if (change === 'at-once') session.filter.listChanged('prompts');
      if (change === 'after-check') due += 1;
    }
  };
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      step();
      await vi.advanceTimersByTimeAsync(1);
    }
  };
  return { ...session, lists, run };
}

/** A prompts/get as the shim takes it: waits for the look under way, then asks whether the prompt is held. */
function get(filter: ReturnType<typeof server>['filter']): Array<string | null> {
  const outcome: Array<string | null> = [];
  const ask = () => outcome.push(filter.heldReason('prompts/get', 'triage'));
  if (!(filter.looking('prompts') && filter.deferCall('prompts', ask))) ask();
  return outcome;
}

describe("the firewall's own look at a server that says its list changed right after each answer", () => {
  it('lists a bounded number of times before the deadline when each change beats the check, and refuses the gets that waited', async () => {
    vi.useFakeTimers();
    const { filter, lists, run } = server(() => 'at-once');
    const outcome = get(filter);
    await run(10_100);
    // Once per answer, it was one list (and one engine check) per millisecond until the deadline.
    expect(lists().length).toBeLessThanOrEqual(10);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatch(/could not check the prompts of 'storm' within 10 s: 'storm' said its prompt list changed before each of \d+ looks ended/);
  });

  it('lists about once every 5 s, not once per answer, when each look goes through before the change, and gets still go on', async () => {
    vi.useFakeTimers();
    const { filter, lists, run } = server(() => 'after-check');
    await run(30_000);
    // Once per answer, each look went through and the next began: 30 000 lists for the session.
    expect(lists().length).toBeLessThanOrEqual(15);
    const outcome = get(filter);
    await run(5_100);
    expect(outcome).toEqual([null]);
  });

  it('still goes through once a burst of changes settles, and lets the gets that waited go on', async () => {
    vi.useFakeTimers();
    // Six changes, one after each of the first six answers: a server bringing its sources up.
    const { filter, lists, run } = server((answered) => (answered <= 6 ? 'at-once' : false));
    const outcome = get(filter);
    await run(5_000);
    expect(outcome).toEqual([null]);
    expect(lists()).toHaveLength(7);
    expect(filter.looking('prompts')).toBe(false);
  });
});
