import { describe, expect, it } from 'vitest';
import { ARG_SCHEMAS } from '../../../preload/contract.js';

describe('the preload contract bounds what the dashboard may send', () => {
  it('takes a held tool of any name a server can give, up to a bound, for review', () => {
    const long = `send_${'x'.repeat(995)}`;
    for (const method of ['keepBlocked', 'acceptPins', 'manifestDiff'] as const) {
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: long }).success, method).toBe(true);
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: 'x'.repeat(5000) }).success, method).toBe(false);
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: '' }).success, method).toBe(false);
    }
  });
});
