import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../main/firewall/engine.js';
import { startShimServer } from '../../main/firewall/ipc/shim-server.js';

/**
 * Just enough of an engine for startShimServer to admit a session (every server admitted,
 * no secrets, a spool file under `dir`); `parts` replaces or adds what a test looks at.
 */
export function fakeShimEngine(dir: string, parts: Record<string, unknown> = {}): Engine {
  return {
    registry: { admit: () => ({ admitted: true, pinnedNow: false }) },
    record: () => {},
    secretEnv: async () => ({}),
    spool: { open: () => join(dir, 'spool'), resume: () => {}, finish: () => {} },
    snapshot: () => ({ version: 1, policy: {}, emergencyWriteApproval: false, pausedUntil: null }),
    quarantine: { releasedFor: async () => [], onReleased: () => () => {} },
    onSnapshot: () => () => {},
    onPinsAccepted: () => () => {},
    onServerRevoked: () => () => {},
    onLaunchesReplaced: () => () => {},
    approvals: { forgetSession: () => {} },
    ...parts,
  } as unknown as Engine;
}

/**
 * A shim server on `fakeShimEngine(dir, parts)` in a temp dir, and a socket that has said
 * `hello` (its fields over a default one) and been answered; `cleanups` gets what ends them.
 */
export async function admittedShimSocket(parts: Record<string, unknown>, hello: Record<string, unknown>, cleanups: Array<() => void>): Promise<Socket> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-fake-shim-'));
  const server = await startShimServer(fakeShimEngine(dir, parts), join(dir, 'engine.sock'));
  const socket = connect(join(dir, 'engine.sock'));
  cleanups.push(() => {
    socket.destroy();
    void server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const welcome = new Promise((resolve) => socket.once('data', resolve));
  socket.write(`${JSON.stringify({ t: 'hello', server: 'memory', client: 'claude-code', command: 'node', args: [], sessionId: 'ses_1', pid: 1, ...hello })}\n`);
  await welcome;
  return socket;
}
