import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { createRefusalLimiter } from '../../../main/firewall/audit/refusal-limiter.js';
import { evaluateGates } from '../../../main/firewall/gates/gates.js';
import { cleanTrails, freshTrail, T0 } from '../gates/trail.js';

afterEach(cleanTrails);

const refusal = (name: string): AuditEntry => ({ event: 'registry', decision: 'DENY', ruleId: 'registry-shadow', serverName: name, reason: 'not approved' });

describe('refusals anyone can cause, audited', () => {
  it('one by one up to the limit, then the rest of the minute as one DENY row, and one by one again after', () => {
    vi.useFakeTimers();
    const rows: AuditEntry[] = [];
    const limiter = createRefusalLimiter((e) => rows.push(e), 3, 60_000);
    for (let i = 0; i < 10; i++) limiter.record(refusal(`x${i}`));
    expect(rows.map((r) => r.serverName)).toEqual(['x0', 'x1', 'x2']);
    vi.advanceTimersByTime(60_000);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ decision: 'DENY', ruleId: 'registry-shadow', serverName: null, reason: expect.stringMatching(/^7 more requests .* the first was for 'x3'/) });
    limiter.record(refusal('y'));
    expect(rows.at(-1)!.serverName).toBe('y');
    limiter.close();
  });
});

describe('refusals summarised past the limit, read by the registry-drift gate', () => {
  it('pages for shadow-server refusals skipped after a minute of refusals the gate does not count', async () => {
    vi.useFakeTimers({ now: T0 });
    const { db, audit } = freshTrail('mcpfw-refusal-gate-');
    const limiter = createRefusalLimiter((e) => audit.append(e), 3, 60_000);
    // A registered server with no URL pin, refused three times: not an unknown server.
    for (let i = 0; i < 3; i++) limiter.record({ event: 'registry', decision: 'DENY', ruleId: 'registry-no-url', serverName: 'github', reason: 'no url' });
    limiter.record({ event: 'registry', decision: 'DENY', ruleId: 'registry-no-url', serverName: 'github', reason: 'no url' });
    // Then a server nobody approved, past the limit: only a summary row can tell of it.
    for (let i = 0; i < 5; i++) limiter.record(refusal('stranger'));
    vi.advanceTimersByTime(60_000);
    const rows = db.prepare("SELECT rule_id, server_name FROM mcp_audit WHERE server_name IS NULL ORDER BY id").all();
    expect(rows).toEqual([{ rule_id: 'registry-no-url', server_name: null }, { rule_id: 'registry-shadow', server_name: null }]);
    expect(evaluateGates(db, Date.now()).find((g) => g.id === 'registry-drift')).toMatchObject({ value: 1, paging: true });
    limiter.close();
  });
});
