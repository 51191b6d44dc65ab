import { describe, expect, it } from 'vitest';
import { createLoginKeys } from '../../../main/firewall/api/dashboard-logins.js';

describe('dashboard login keys', () => {
  it('log in once, within their time, and never again', () => {
    let now = 1_000;
    const keys = createLoginKeys(60_000, () => now);
    const first = keys.mint();
    const second = keys.mint();
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(keys.take(first)).toBe(true);
    expect(keys.take(first)).toBe(false); // spent
    expect(keys.take('not-a-key')).toBe(false);
    now += 60_000;
    expect(keys.take(second)).toBe(false); // expired
  });
});
