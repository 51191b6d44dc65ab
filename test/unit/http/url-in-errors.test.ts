import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { resolveRemoteTarget } from '../../../main/firewall/http/remote-target.js';
import { fetchFailure } from '../../../main/firewall/http/upstream-failures.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';

/** An engine whose registry holds one entry for 'docs' (pinned or proposed); what it audits is kept. */
function engineWith(pinned: string | null, proposed: string | null): { engine: Engine; rows: AuditEntry[] } {
  const rows: AuditEntry[] = [];
  const registry = {
    get: () => ({ fingerprint: pinned === null ? null : remoteFingerprint(pinned) }),
    pending: () => (proposed === null ? null : remoteFingerprint(proposed)),
  };
  return { engine: { registry, record: (entry: AuditEntry) => rows.push(entry) } as unknown as Engine, rows };
}

describe('remote URLs in error texts and audit reasons', () => {
  it('shows no key from the pinned URL when the server cannot be reached', () => {
    const error = new TypeError('fetch failed', { cause: new Error(`connect to https://mcp.example.com/mcp?api_key=${KEY} refused`) });
    const text = fetchFailure({ server: 'docs', url: `https://mcp.example.com/mcp?api_key=${KEY}` }, error);
    expect(text).toBe("remote server 'docs' at https://mcp.example.com/mcp?api_key=… is unreachable or hung up: connect to https://mcp.example.com/mcp?api_key=… refused");
    expect(text).not.toContain(KEY);
  });

  it('shows no key from a URL the network library printed in another form than the pin (host case, port, a redirect)', () => {
    const error = new TypeError('fetch failed', { cause: new Error(`redirect to https://Mcp.Example.com:443/v2/mcp?api_key=${KEY} refused`) });
    const text = fetchFailure({ server: 'docs', url: `https://mcp.example.com/mcp?api_key=${KEY}` }, error);
    expect(text).not.toContain(KEY);
    expect(text).toContain('api_key=…');
  });

  it('shows no password of an unusable pinned URL, to the client or in the audit', () => {
    const { engine, rows } = engineWith(`https://me:${KEY}@mcp.example.com/mcp`, null);
    const target = resolveRemoteTarget(engine, 'docs', 'test');
    expect('refusal' in target && target.refusal(1)).toContain('https://…@mcp.example.com/mcp');
    expect('refusal' in target && target.refusal(1)).not.toContain(KEY);
    expect(rows.map((r) => r.reason).join()).not.toContain(KEY);
  });

  it('shows no key of a proposed URL waiting for approval', () => {
    const { engine } = engineWith(null, `https://mcp.example.com/mcp?api_key=${KEY}`);
    const target = resolveRemoteTarget(engine, 'docs', 'test');
    expect('refusal' in target && target.refusal(1)).toContain('its URL https://mcp.example.com/mcp?api_key=… waits for approval');
    expect('refusal' in target && target.refusal(1)).not.toContain(KEY);
  });
});
