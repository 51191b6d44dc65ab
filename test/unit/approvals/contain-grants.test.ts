import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/firewall/engine.js';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('containment with a keychain that fails', () => {
  it('forgets the remembered approvals even when revoking the credentials throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-contain-grants-'));
    dirs.push(dir);
    const engine = createEngine({
      dataDir: dir,
      defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'),
      revokeTokens: () => Promise.reject(new Error('the keychain client crashed (SIGSEGV)')),
    });
    try {
      const { id } = engine.approvals.request({
        sessionId: 's1', client: 'cursor', server: 'crm', method: 'tools/call', tool: 'update_contact', actionClass: 'write', argsDigest: 'd1', arguments: {}, ruleId: null, reason: 'write',
      }, 60_000);
      engine.approvals.answer(id, 'allow', 'always');
      await expect(engine.revokeTokens('crm', 'test')).rejects.toThrow(/crashed/);
      expect(engine.approvals.findGrant('s1', 'crm', 'update_contact', 'd1')).toBeNull();
    } finally {
      engine.close();
    }
  });
});

describe('containment with calls of the server waiting for approval', () => {
  it('denies them, so an "always" answered after cannot write the grant it forgot afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-contain-parked-'));
    dirs.push(dir);
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000 });
    try {
      const call: CallInfo = { sessionId: 's1', client: 'claude-code', server: 'filesystem', method: 'tools/call', tool: 'write_file', actionClass: 'write', argsDigest: 'sha256:abc', arguments: { path: '/x' }, requestId: '1' };
      const asked = engine.gate.decide(call, 'claude-code', () => {});
      const other = engine.gate.decide({ ...call, server: 'notes', requestId: '2' }, 'claude-code', () => {});
      const id = engine.approvals.list()[0]!.id;
      await engine.revokeTokens('filesystem', 'test');
      expect(engine.approvals.list().map((p) => p.server)).toEqual(['notes']);
      expect(engine.approvals.answer(id, 'allow', 'always')).toBe(false);
      expect(await asked.verdict).toMatchObject({ decision: 'DENY', reason: expect.stringMatching(/cancelled/) });
      expect(engine.approvals.findGrant(null, 'filesystem', 'write_file', 'sha256:abc')).toBeNull();
      const row = engine.db.prepare("SELECT reason FROM mcp_audit WHERE decision = 'TOKENS_REVOKED'").get() as { reason: string };
      expect(row.reason).toContain('1 call waiting for approval denied');
      other.cancel();
      await other.verdict;
    } finally {
      engine.close();
    }
  });

  it('denies them even when revoking the credentials throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-contain-parked-'));
    dirs.push(dir);
    const engine = createEngine({
      dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000,
      revokeTokens: () => Promise.reject(new Error('the keychain client crashed (SIGSEGV)')),
    });
    try {
      const asked = engine.gate.decide({ sessionId: 's1', client: 'cursor', server: 'crm', method: 'tools/call', tool: 'update_contact', actionClass: 'write', argsDigest: 'd1', arguments: {}, requestId: '1' }, 'cursor', () => {});
      await expect(engine.revokeTokens('crm', 'test')).rejects.toThrow(/crashed/);
      expect(engine.approvals.list()).toEqual([]);
      expect(await asked.verdict).toMatchObject({ decision: 'DENY' });
    } finally {
      engine.close();
    }
  });
});
