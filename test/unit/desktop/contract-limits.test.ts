import { describe, expect, it } from 'vitest';
import { ARG_SCHEMAS } from '../../../preload/contract.js';

describe('the preload contract bounds what the dashboard may send', () => {
  it('takes a held tool of any name a server can give, up to a bound, for review', () => {
    const long = `send_${'x'.repeat(995)}`;
    for (const method of ['keepBlocked', 'acceptPins', 'manifestDiff'] as const) {
      // Accept and keep-blocked also name the version reviewed.
      const digest = method === 'manifestDiff' ? {} : { digest: 'a'.repeat(64) };
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: long, ...digest }).success, method).toBe(true);
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: 'x'.repeat(5000), ...digest }).success, method).toBe(false);
      expect(ARG_SCHEMAS[method]!.safeParse({ server: 'notes', tool: '', ...digest }).success, method).toBe(false);
    }
  });

  it('takes an accept only with the tool and the version reviewed', () => {
    expect(ARG_SCHEMAS.acceptPins!.safeParse({ server: 'notes', tool: 'list_tickets' }).success).toBe(false);
    expect(ARG_SCHEMAS.acceptPins!.safeParse({ server: 'notes', digest: 'a'.repeat(64) }).success).toBe(false);
  });
});
