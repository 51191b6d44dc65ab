import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../main/firewall/engine.js';
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
