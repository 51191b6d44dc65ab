import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { createRefreshFailureAudit } from '../../../main/firewall/http/refresh-failure-audit.js';

const failed = (server: string, reason = 'refreshing it failed'): AuditEntry => ({ event: 'secret', decision: 'OAUTH_REFRESH_FAILED', ruleId: 'oauth', serverName: server, reason });

describe('failed OAuth refreshes, audited', () => {
  afterEach(() => void vi.useRealTimers());

  it('once per server per window, then the rest of the window as one row with their count, naming the server', () => {
    vi.useFakeTimers();
    const rows: AuditEntry[] = [];
    const limited = createRefreshFailureAudit((e) => rows.push(e), 5 * 60_000);
    for (let i = 0; i < 20; i++) limited.record(failed('docs'));
    limited.record(failed('wiki'));
    expect(rows.map((r) => r.serverName)).toEqual(['docs', 'wiki']);
    vi.advanceTimersByTime(5 * 60_000);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ decision: 'OAUTH_REFRESH_FAILED', serverName: 'docs', reason: expect.stringMatching(/^19 more sessions to 'docs' could not refresh its OAuth token in the last 5 minutes .* the first said: refreshing it failed$/) });
    limited.record(failed('docs'));
    expect(rows).toHaveLength(4);
    limited.close();
  });
});
