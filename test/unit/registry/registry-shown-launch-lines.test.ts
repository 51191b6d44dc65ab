import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { approveRoutedLaunch } from '../../../main/firewall/registry/registry-actions.js';
import { createRegistry, shownFingerprint, type Registry } from '../../../main/firewall/registry/registry.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// A local launch line can carry a key as well as a remote URL can: `npx mcp-remote
// https://host/mcp?api_key=…`, `--token=…`, `--header "Authorization: Bearer …"`, docker's
// `-e GITHUB_TOKEN=…`. Reasons (drift, approvals) go to the audit and to refusals the model
// reads: the values are cut there. The pin is still compared whole.

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';
const REMOTE = { command: 'npx', args: ['-y', 'mcp-remote', `https://mcp.example.com/mcp?api_key=${KEY}`] };

describe('local launch lines in registry reasons', () => {
  let dir: string;
  let db: DatabaseSync;
  let registry: Registry;
  const auditReasons = () => (db.prepare('SELECT reason FROM mcp_audit ORDER BY id').all() as { reason: string }[]).map((r) => r.reason).join('\n');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-shown-launch-'));
    db = openDatabase(join(dir, 'firewall.db'));
    registry = createRegistry(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drift names the URL argument of a launch line without its key, and still tells keys apart', () => {
    approveRoutedLaunch(registry, createAuditLog(db), 'docs', REMOTE, 'cli', true);
    const other = { ...REMOTE, args: ['-y', 'mcp-remote', 'https://mcp.example.com/mcp?api_key=sk-live-other'] };
    const drift = registry.admit('docs', other, 'cursor');
    expect(drift).toMatchObject({ admitted: false, kind: 'drift' });
    expect(drift.admitted ? '' : drift.reason).toBe(
      'server \'docs\' launch line changed (registry drift): approved "npx -y mcp-remote https://mcp.example.com/mcp?api_key=…", got "npx -y mcp-remote https://mcp.example.com/mcp?api_key=…"',
    );
    expect(auditReasons()).not.toContain(KEY);
    expect(auditReasons()).toContain('mcp-remote https://mcp.example.com/mcp?api_key=…');
  });

  it('cuts the values of arguments named like a secret, in either spelling, and of secret headers and variables', () => {
    expect(shownFingerprint({ command: 'node', args: ['server.js', `--token=${KEY}`, '--api-key', KEY, '--port', '8080', `--password=${KEY}`] })).toBe(
      'node server.js --token=… --api-key … --port 8080 --password=…',
    );
    expect(shownFingerprint({ command: 'npx', args: ['mcp-remote', 'https://h/mcp', '--header', `Authorization: Bearer ${KEY}`] })).toBe(
      'npx mcp-remote https://h/mcp --header "Authorization: …"',
    );
    // Flag and header in one argument: the flag's name is no secret, the header's is.
    expect(shownFingerprint({ command: 'npx', args: ['mcp-remote', 'https://h/mcp', `--header=Authorization: Bearer ${KEY}`] })).toBe(
      'npx mcp-remote https://h/mcp "--header=Authorization: …"',
    );
    expect(shownFingerprint({ command: 'docker', args: ['run', '-e', `GITHUB_PERSONAL_ACCESS_TOKEN=${KEY}`, '-e', 'LOG_LEVEL=debug', 'ghcr.io/github/github-mcp-server'] })).toBe(
      'docker run -e GITHUB_PERSONAL_ACCESS_TOKEN=… -e LOG_LEVEL=debug ghcr.io/github/github-mcp-server',
    );
    expect(shownFingerprint({ command: 'uvx', args: ['mcp-server-fetch', `--url=https://u:${KEY}@h/x?k=${KEY}`] })).toBe('uvx mcp-server-fetch --url=https://…@h/x?k=…');
    // A token passed bare is cut by its shape (the prefixes the secrets scan knows).
    expect(shownFingerprint({ command: 'node', args: ['server.js', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'] })).toBe('node server.js …');
  });
});
