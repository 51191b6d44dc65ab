import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyAuditChain } from '../../../main/firewall/audit/audit-log.js';
import { evaluateGates } from '../../../main/firewall/gates/gates.js';
import { watchGates } from '../../../main/firewall/gates/gate-watch.js';
import { pausedVerdict } from '../../../main/firewall/policy/pause.js';
import { cleanTrails, freshTrail, MINUTE, T0 } from './trail.js';

// Edges of the seed's gates, on rows appended the way the engine appends them (hash chain intact).
afterEach(cleanTrails);

const iso = (ms: number) => new Date(ms).toISOString();

const freshGateTrail = () => freshTrail('mcpfw-gate-edges-');

const gate = (db: DatabaseSync, id: string, now = T0) => evaluateGates(db, now).find((g) => g.id === id)!;
const gateRows = (db: DatabaseSync) => db.prepare("SELECT decision, rule_id FROM mcp_audit WHERE event = 'gate' ORDER BY id").all();

describe('gate edges', () => {
  it('counts a scope mismatch let through by a pause as an attempt', () => {
    const { db, audit } = freshGateTrail();
    const reason = 'scope mismatch: a read_only principal attempted a write action';
    // The same verdict the shim and the engine's call gate write while protection is paused.
    const paused = pausedVerdict({ decision: 'REQUIRE_APPROVAL', ruleId: 'approve-scope-mismatch', reason }, iso(Date.now() + 60 * MINUTE), false, undefined);
    expect(paused.decision).toBe('ALLOW');
    const rows = Array.from({ length: 99 }, () => ({ event: 'call' as const, decision: 'ALLOW', actionClass: 'read', reason: 'no rule matched', eventTime: iso(T0 - 1000) }));
    audit.appendBatch([...rows, { event: 'call', decision: paused.decision, actionClass: 'write', ruleId: paused.ruleId, reason: paused.reason, eventTime: iso(T0 - 1000) }]);
    expect(gate(db, 'scope-mismatch-attempts')).toMatchObject({ value: 0.01, paging: true, detail: '1 of 100 in the last 15m' });
  });

  it('counts a scope mismatch a person was asked about as an attempt, whatever they answered', () => {
    const { db, audit } = freshGateTrail();
    const reason = 'scope mismatch: a read_only principal attempted a write action';
    const asked = db.prepare("INSERT INTO approvals (id, requested_at, server_name, tool_name, rule_id, reason, status) VALUES (?, ?, 'crm', 'update', 'approve-scope-mismatch', ?, ?)");
    asked.run('ap-allowed', iso(T0 - 2000), reason, 'allowed');
    asked.run('ap-denied', iso(T0 - 2000), reason, 'denied');
    asked.run('ap-other', iso(T0 - 2000), 'writes ask', 'allowed');
    const rows = Array.from({ length: 97 }, () => ({ event: 'call' as const, decision: 'ALLOW', actionClass: 'read', reason: 'no rule matched', eventTime: iso(T0 - 1000) }));
    audit.appendBatch([
      ...rows,
      { event: 'call', decision: 'ALLOW', actionClass: 'write', ruleId: 'approve-scope-mismatch', approvalId: 'ap-allowed', reason: 'approved (once)', eventTime: iso(T0 - 1000) },
      { event: 'call', decision: 'DENY', actionClass: 'write', ruleId: 'approve-scope-mismatch', approvalId: 'ap-denied', reason: 'denied by the approver', eventTime: iso(T0 - 1000) },
      { event: 'call', decision: 'ALLOW', actionClass: 'write', ruleId: 'ask-writes', approvalId: 'ap-other', reason: 'approved (once)', eventTime: iso(T0 - 1000) },
    ]);
    expect(gate(db, 'scope-mismatch-attempts')).toMatchObject({ value: 0.02, detail: '2 of 100 in the last 15m' });
  });

  it('counts an unprotected server entry that appeared in a client config as an unknown server', () => {
    const { db, audit } = freshGateTrail();
    audit.append({ event: 'registry', decision: 'SHADOW_ENTRY', serverName: 'stranger', client: 'cursor', ruleId: 'client-config-watch', reason: "unprotected server entry 'stranger' appeared in mcp.json", eventTime: iso(T0 - 1000) });
    expect(gate(db, 'registry-drift')).toMatchObject({ value: 1, paging: true });
    // The same server refused at launch later is still one unknown server.
    audit.append({ event: 'registry', decision: 'DENY', serverName: 'stranger', client: 'cursor', ruleId: 'registry-shadow', eventTime: iso(T0 - 500) });
    expect(gate(db, 'registry-drift').value).toBe(1);
    // A disabled registered server is not unknown.
    audit.append({ event: 'registry', decision: 'DENY', serverName: 'github', client: 'cursor', ruleId: 'registry-disabled', eventTime: iso(T0 - 500) });
    expect(gate(db, 'registry-drift').value).toBe(1);
  });

  it('writes one PAGE row per transition even when the notice keeps failing', () => {
    vi.useFakeTimers({ now: T0 });
    const { db, audit } = freshGateTrail();
    audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write' });
    let notices = 0;
    const watch = watchGates(db, audit, () => {
      notices += 1;
      if (notices < 4) throw new Error('notifier down');
    }, 1_000);
    try {
      vi.advanceTimersByTime(5_000);
      expect(notices).toBe(4);
      expect(gateRows(db)).toEqual([{ decision: 'PAGE', rule_id: 'unapproved-write-calls' }]);
    } finally {
      watch.stop();
      db.close();
    }
  });

  it('writes the CLEAR owed by a PAGE when the gate cleared while no engine ran', () => {
    vi.useFakeTimers({ now: T0 });
    const { db, audit } = freshGateTrail();
    audit.append({ event: 'call', decision: 'ALLOW', serverName: 'crm', toolName: 'update_contact', actionClass: 'write' });
    const first = watchGates(db, audit, () => {}, 1_000);
    vi.advanceTimersByTime(1_000);
    first.stop();
    expect(gateRows(db)).toEqual([{ decision: 'PAGE', rule_id: 'unapproved-write-calls' }]);

    // The engine is down for an hour: the write leaves the 10m window meanwhile.
    vi.setSystemTime(T0 + 60 * MINUTE);
    const pages: string[] = [];
    const second = watchGates(db, audit, (g) => pages.push(g.id), 1_000);
    try {
      vi.advanceTimersByTime(3_000);
      expect(pages).toEqual([]);
      expect(gateRows(db)).toEqual([
        { decision: 'PAGE', rule_id: 'unapproved-write-calls' },
        { decision: 'CLEAR', rule_id: 'unapproved-write-calls' },
      ]);
      expect(verifyAuditChain(db).ok).toBe(true);
    } finally {
      second.stop();
      db.close();
    }
  });
});

describe('gate queries on a large trail', () => {
  it("reads the manifest gate's day through the manifest rows' own index, not a day of calls", () => {
    const { db } = freshGateTrail();
    const seen: string[] = [];
    const spy = new Proxy(db, {
      get(target, key) {
        if (key === 'prepare') return (sql: string) => (seen.push(sql), target.prepare(sql));
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    evaluateGates(spy, T0);
    const manifestSql = seen.find((sql) => sql.includes("event = 'manifest'"))!;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${manifestSql}`).all({ since: iso(T0 - 1), until: iso(T0) }) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('; ')).toContain('mcp_audit_manifest');
    db.close();
  });
});
