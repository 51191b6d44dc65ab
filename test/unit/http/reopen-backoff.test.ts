import { describe, expect, it } from 'vitest';
import { createReopenBackoff } from '../../../main/firewall/http/reopen-backoff.js';

describe('the wait before a lost GET stream is opened again', () => {
  it('doubles from a second up to a minute while attempts fail', () => {
    const backoff = createReopenBackoff();
    expect(Array.from({ length: 9 }, () => backoff.next())).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('starts over after a stream that stayed open a while, not after one that ended at once', () => {
    let now = 0;
    const backoff = createReopenBackoff({ initialMs: 10, maxMs: 1_000, stableMs: 500 }, () => now);
    backoff.next();
    backoff.next();
    backoff.opened();
    now += 100;
    expect(backoff.next()).toBe(40);
    backoff.opened();
    now += 500;
    expect(backoff.next()).toBe(10);
  });
});
