import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type EngineOptions } from '../../../main/firewall/engine.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const STRICT = 'version: v1\ndefaults:\n  decision: DENY\nrules: []\n';
const DEFAULT_POLICY = join(REPO_ROOT, 'resources', 'default-policy.yaml');

function start(dir: string, notices: string[] = []) {
  const options: EngineOptions = { dataDir: dir, defaultPolicyFile: DEFAULT_POLICY, onNotice: (m) => notices.push(m) };
  return createEngine(options);
}

describe('a policy.yaml that went missing between two starts', () => {
  it('comes back as it was last in force, said and audited, instead of the permissive default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-policy-restore-'));
    dirs.push(dir);
    const first = start(dir);
    expect(readFileSync(first.policy.file, 'utf8')).toBe(readFileSync(DEFAULT_POLICY, 'utf8')); // a first start: the default
    writeFileSync(first.policy.file, STRICT);
    expect(first.policy.reload()).toBe(true);
    first.close();
    unlinkSync(join(dir, 'policy.yaml'));

    const notices: string[] = [];
    const second = start(dir, notices);
    try {
      expect(second.policy.current().spec.defaultDecision).toBe('DENY');
      expect(readFileSync(second.policy.file, 'utf8')).toBe(STRICT);
      expect(notices).toEqual([expect.stringMatching(/policy\.yaml was missing; restored the policy last in force/)]);
      const rows = second.db.prepare("SELECT decision FROM mcp_audit WHERE event = 'policy' AND decision = 'RESTORED'").all();
      expect(rows).toHaveLength(1);
    } finally {
      second.close();
    }
  });
});
