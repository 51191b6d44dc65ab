import { describe, expect, it } from 'vitest';
import { createReopenBackoff, retryAfterMs } from '../../../main/firewall/http/reopen-backoff.js';

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

  it('waits as long as the server asks when that is longer, up to a minute, and never less than its own wait', () => {
    const backoff = createReopenBackoff({ initialMs: 1_000, maxMs: 8_000 });
    expect(backoff.next(5_000)).toBe(5_000);
    // Asking for less (or nothing) does not make the firewall ask again sooner than its backoff.
    expect(backoff.next(0)).toBe(2_000);
    expect(backoff.next(86_400_000)).toBe(60_000);
    expect(backoff.next()).toBe(8_000);
  });

  it('reads Retry-After as seconds or as an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
