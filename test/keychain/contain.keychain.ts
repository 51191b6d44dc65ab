import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import keytar from 'keytar';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { removeHome, settled, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');

describe("the seed's containment, end to end on the real keychain", () => {
  let engine: RunningEngine;
  afterAll(async () => {
    await engine.stop();
    removeHome(engine.home);
    await keytar.deletePassword(KEYCHAIN_SERVICE, 'crm/env/CRM_TOKEN').catch(() => false);
  });

  it('disables the server, revokes its tokens from the keychain, and forces write approval', async () => {
    engine = await startEngine({ policy: 'version: v1\nrules: []\n' });
    const set = spawnSync(process.execPath, [CLI, 'secrets', 'set', 'crm', 'CRM_TOKEN', '--value-stdin'], { env: engine.env, input: 'crm-secret-value', encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
    engine.cli(['registry', 'approve', 'crm']);
    const conn = await connectThroughShim(engine, 'crm', [process.execPath, FAULTY]);
    try {
      const contained = engine.cli(['contain', 'crm']);
      expect(contained.code).toBe(0);
      expect(contained.stdout).toContain('[2/3] revoking active tokens for server: crm');
      expect(contained.stdout).toContain('revoked CRM_TOKEN');
      expect(contained.stdout).toContain('Containment completed for crm');
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, 'crm/env/CRM_TOKEN')).toBeNull();
      await waitFor(async () => String(await settled(conn.client.callTool({ name: 'read_text', arguments: { text: 'x' } }))).includes('disabled'), 'the live session to be stopped');
      expect(engine.cli(['policy', 'emergency', 'status']).stdout).toContain('ON');
    } finally {
      await conn.close().catch(() => {});
    }
    const rows = JSON.parse(engine.cli(['audit', 'query', "SELECT decision FROM mcp_audit WHERE decision IN ('DISABLED', 'TOKENS_REVOKED', 'EMERGENCY_ON') ORDER BY id", '--json']).stdout) as Array<{ decision: string }>;
    expect(rows.map((r) => r.decision)).toEqual(['DISABLED', 'TOKENS_REVOKED', 'EMERGENCY_ON']);
  });
});
