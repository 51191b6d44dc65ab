import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { resolveRemoteTarget } from '../../../main/firewall/http/remote-target.js';
import { admittedShimSocket } from '../../helpers/fake-shim-engine.js';

// The registry's own reasons cut keys from launch lines (registry-shown-launch-lines.test.ts);
// so must the two other places that name a local launch line: the first-run audit row and the
// HTTP interposer's refusal of a name registered as a local server.

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';
const LAUNCH = { command: 'npx', args: ['-y', 'mcp-remote', `https://mcp.example.com/mcp?api_key=${KEY}`, `--token=${KEY}`] };

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('local launch lines in other reasons', () => {
  it('the first-run audit row names the pinned launch line without its keys', async () => {
    const rows: AuditEntry[] = [];
    const parts = { registry: { admit: () => ({ admitted: true, pinnedNow: true }) }, record: (entry: AuditEntry) => rows.push(entry) };
    await admittedShimSocket(parts, { server: 'docs', client: 'cursor', ...LAUNCH }, cleanups);
    const reason = rows.find((r) => r.decision === 'ALLOW')?.reason;
    expect(reason).toBe('first run: pinned launch line npx -y mcp-remote https://mcp.example.com/mcp?api_key=… --token=…');
  });

  it('the HTTP interposer refuses a name registered as a local server without showing that line\'s keys', () => {
    const rows: AuditEntry[] = [];
    const engine = { registry: { get: () => ({ fingerprint: LAUNCH }), pending: () => null }, record: (entry: AuditEntry) => rows.push(entry) } as unknown as Engine;
    const target = resolveRemoteTarget(engine, 'docs', 'test');
    const refusal = 'refusal' in target ? target.refusal(1) : '';
    expect(refusal).toContain('registered as a local server (npx -y mcp-remote https://mcp.example.com/mcp?api_key=… --token=…)');
    expect(refusal).not.toContain(KEY);
    expect(rows.map((r) => r.reason).join()).not.toContain(KEY);
  });
});
