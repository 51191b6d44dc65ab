import { describe, expect, it } from 'vitest';
import { isoFromEpochMs } from '../../../main/firewall/jsonrpc/iso-time.js';

describe('isoFromEpochMs', () => {
  it('spells what Date#toISOString does, across leap years, century rules, month ends and the epoch', () => {
    const moments = [0, -1, 1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 1_700_000_000_123, 253_402_300_799_999, -62_135_596_800_000];
    // Every day boundary (and a second before it) for 40 years around now, and random instants.
    for (let day = 0; day < 40 * 366; day++) moments.push(Date.UTC(2000, 0, 1) + day * 86_400_000, Date.UTC(2000, 0, 1) + day * 86_400_000 - 1);
    let seed = 11;
    for (let i = 0; i < 5000; i++) moments.push(Math.floor(((seed = (seed * 16807) % 2_147_483_647) / 2_147_483_647) * 253_402_300_799_999));
    const wrong = moments.filter((ms) => isoFromEpochMs(ms) !== new Date(ms).toISOString());
    expect(wrong).toEqual([]);
  });
});
