import { describe, expect, it } from 'vitest';
import { createSessionEra } from '../../../main/firewall/proxy/session-era.js';

const envelope = (version: string, name = 'client', capabilities: unknown = {}) => ({
  _meta: { 'io.modelcontextprotocol/protocolVersion': version, 'io.modelcontextprotocol/clientInfo': { name, version: '1' }, 'io.modelcontextprotocol/clientCapabilities': capabilities, progressToken: 7 },
});

describe('the session era the shim reads from request envelopes', () => {
  it("mirrors the reserved keys of the client's latest enveloped request, and nothing else of its _meta", () => {
    const era = createSessionEra();
    expect(era.envelope()).toBeUndefined();
    era.observe(envelope('2026-07-28', 'first', {}));
    era.observe(envelope('2026-07-28', 'second', { sampling: {} }));
    // A request without an envelope (or a malformed one) does not replace the one kept.
    era.observe({ name: 'x' });
    era.observe({ _meta: { 'io.modelcontextprotocol/protocolVersion': 7 } });
    expect(era.envelope()).toEqual({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'second', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
    });
    expect(era.clientName()).toBe('second');
  });

  it('starts the session on the first request of 2026-07-28 or later, until it is marked ready', () => {
    const era = createSessionEra();
    expect(era.observe(envelope('2025-11-25'))).toBe(false);
    expect(era.observe(envelope('2026-07-28'))).toBe(true);
    expect(era.observe(envelope('2027-01-15'))).toBe(true);
    era.ready();
    expect(era.observe(envelope('2026-07-28'))).toBe(false);
  });

  it('attaches nothing in a 2025-era session, whatever a request carries', () => {
    const era = createSessionEra();
    era.observe(envelope('2026-07-28'));
    era.initialized();
    expect(era.observe(envelope('2026-07-28'))).toBe(false);
    expect(era.envelope()).toBeUndefined();
  });
});
