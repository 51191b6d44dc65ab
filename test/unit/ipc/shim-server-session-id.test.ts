import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { startShimServer } from '../../../main/firewall/ipc/shim-server.js';
import { fakeShimEngine } from '../../helpers/fake-shim-engine.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('the shim server and the session a call claims', () => {
  it('decides a call under the session its connection was admitted as, not the one the message names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-session-'));
    const decided: CallInfo[] = [];
    const engine = fakeShimEngine(dir, { gate: { decide: (call: CallInfo) => (decided.push(call), { verdict: new Promise(() => {}), cancel: () => {} }) } });
    const server = await startShimServer(engine, join(dir, 'engine.sock'));
    const socket = connect(join(dir, 'engine.sock'));
    cleanups.push(() => {
      socket.destroy();
      void server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const welcome = new Promise((resolve) => socket.once('data', resolve));
    socket.write(`${JSON.stringify({ t: 'hello', server: 'memory', client: 'claude-code', command: 'node', args: [], sessionId: 'ses_mine', pid: 1 })}\n`);
    await welcome;
    // Another session's id, whose "session" grants would then cover this call.
    const call: CallInfo = { sessionId: 'ses_theirs', client: 'claude-code', server: 'memory', method: 'tools/call', tool: 'create_entities', actionClass: 'write', argsDigest: 'd', arguments: {}, requestId: '1' };
    socket.write(`${JSON.stringify({ t: 'decide', rid: 1, call, ruleId: null, reason: '' })}\n`);
    await expect.poll(() => decided.length).toBe(1);
    expect(decided[0]).toMatchObject({ sessionId: 'ses_mine', server: 'memory' });
  });
});
