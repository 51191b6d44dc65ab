import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { proposeRemote, remoteStanding } from '../../../main/firewall/registry/remote-proposal.js';
import { createRegistry, remoteFingerprint, remoteUrlProblem, type Registry } from '../../../main/firewall/registry/registry.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// Some remote servers take their key in the URL. The registry's reasons (drift, conflicts,
// approvals) land in the audit and in refusals the client, so the model, reads: the URL is
// shown there without query values (shown-url.ts). The pin itself is compared whole.

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';
const PINNED = `https://mcp.example.com/mcp?api_key=${KEY}`;

describe('remote URLs in registry reasons', () => {
  let dir: string;
  let db: DatabaseSync;
  let registry: Registry;
  const auditReasons = () => (db.prepare('SELECT reason FROM mcp_audit ORDER BY id').all() as { reason: string }[]).map((r) => r.reason);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-shown-urls-'));
    db = openDatabase(join(dir, 'firewall.db'));
    registry = createRegistry(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drift names the pinned and the offered URL without their keys, and still tells keys apart', () => {
    approveServer(registry, createAuditLog(db), 'docs', 'cli', remoteFingerprint(PINNED));
    expect(registry.admit('docs', remoteFingerprint(PINNED), 'cursor')).toMatchObject({ admitted: true });
    // Another key in the same place is another pin: drift, though both show the same.
    const drift = registry.admit('docs', remoteFingerprint('https://mcp.example.com/mcp?api_key=sk-live-other'), 'cursor');
    expect(drift).toMatchObject({ admitted: false, kind: 'drift' });
    expect(drift.admitted ? '' : drift.reason).toBe('server \'docs\' launch line changed (registry drift): approved "url https://mcp.example.com/mcp?api_key=…", got "url https://mcp.example.com/mcp?api_key=…"');
    expect(auditReasons().join('\n')).not.toContain(KEY);
  });

  it('conflicts and proposals name the URL without its key', () => {
    approveServer(registry, createAuditLog(db), 'docs', 'cli', remoteFingerprint(PINNED));
    const standing = remoteStanding(registry, 'docs', 'https://mcp.example.com/other');
    expect(standing).toEqual({ kind: 'conflict', reason: 'registered with another URL (https://mcp.example.com/mcp?api_key=…)' });
    const sse = remoteStanding(registry, 'docs', { url: PINNED, transport: 'sse' });
    expect(sse).toMatchObject({ kind: 'conflict', reason: expect.not.stringContaining(KEY) });
    proposeRemote(registry, createAuditLog(db), 'wiki', `https://wiki.example.com/mcp?token=${KEY}`, 'cursor');
    expect(remoteStanding(registry, 'wiki', 'https://wiki.example.com/mcp')).toMatchObject({ kind: 'conflict', reason: expect.not.stringContaining(KEY) });
    expect(auditReasons().join('\n')).not.toContain(KEY);
  });

  it('a URL refused for credentials in it is named without them', () => {
    expect(remoteUrlProblem(`https://me:${KEY}@mcp.example.com/mcp`)).toBe("'https://…@mcp.example.com/mcp' carries credentials; store them with: mcp-firewall secrets set NAME AUTHORIZATION");
    expect(remoteUrlProblem(`http://mcp.example.com/mcp?key=${KEY}`)).not.toContain(KEY);
  });
});
