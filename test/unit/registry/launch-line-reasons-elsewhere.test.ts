import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { resolveRemoteTarget } from '../../../main/firewall/http/remote-target.js';
import { startShimServer } from '../../../main/firewall/ipc/shim-server.js';
import { fakeShimEngine } from '../../helpers/fake-shim-engine.js';

// The registry's own reasons cut keys from launch lines (registry-shown-launch-lines.test.ts);
// so must the two other places that name a local launch line: the first-run audit row and the
// HTTP interposer's refusal of a name registered as a local server.

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';
const LAUNCH = { command: 'npx', args: ['-y', 'mcp-remote', `https://mcp.example.com/mcp?api_key=${KEY}`, `--token=${KEY}`] };

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('local launch lines in other reasons', () => {
  it('the first-run audit row names the pinned launch line without its keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-first-run-'));
    const rows: AuditEntry[] = [];
    const engine = fakeShimEngine(dir, { registry: { admit: () => ({ admitted: true, pinnedNow: true }) }, record: (entry: AuditEntry) => rows.push(entry) });
    const server = await startShimServer(engine, join(dir, 'engine.sock'));
    const socket = connect(join(dir, 'engine.sock'));
    cleanups.push(() => {
      socket.destroy();
      void server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const welcome = new Promise((resolve) => socket.once('data', resolve));
    socket.write(`${JSON.stringify({ t: 'hello', server: 'docs', client: 'cursor', ...LAUNCH, sessionId: 'ses_1', pid: 1 })}\n`);
    await welcome;
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
