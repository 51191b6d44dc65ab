import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { evaluateGates } from '../../../main/firewall/gates/gates.js';
import { cleanTrails, freshTrail, T0 } from './trail.js';

afterEach(cleanTrails);

const at = new Date(T0 - 1000).toISOString();

describe('the QUARANTINE ratio gate', () => {
  it('is not diluted by REDACT rows for notifications the server sent on its own', () => {
    const { db, audit } = freshTrail('mcpfw-gate-qratio-');
    const result = (decision: string, i: number): AuditEntry => ({ event: 'result', decision, serverName: 'crm', toolName: 'lookup', argsDigest: `d${i}`, eventTime: at });
    // 1 of 20 call results quarantined: 5%, over the 3% the seed pages at.
    const calls = [result('QUARANTINE', 0), ...Array.from({ length: 19 }, (_, i) => result('PASS', i + 1))];
    // The rows server-messages.ts writes for notifications it redacted: no request, no args digest.
    const notifications = Array.from({ length: 100 }, (): AuditEntry => ({
      event: 'result', decision: 'REDACT', serverName: 'crm', method: 'notifications/message', ruleId: 'output-redact', reason: 'redacted github-token', eventTime: at,
    }));
    audit.appendBatch([...calls, ...notifications]);
    const gate = evaluateGates(db, T0).find((g) => g.id === 'quarantine-ratio')!;
    expect(gate).toMatchObject({ value: 0.05, paging: true, detail: '1 of 20 in the last 15m' });
  });
});
