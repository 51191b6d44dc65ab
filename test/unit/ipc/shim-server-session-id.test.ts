import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { admittedShimSocket } from '../../helpers/fake-shim-engine.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('the shim server and the session a call claims', () => {
  it('decides a call under the session its connection was admitted as, not the one the message names', async () => {
    const decided: CallInfo[] = [];
    const gate = { decide: (call: CallInfo) => (decided.push(call), { verdict: new Promise(() => {}), cancel: () => {} }) };
    const socket = await admittedShimSocket({ gate }, { sessionId: 'ses_mine' }, cleanups);
    // Another session's id, whose "session" grants would then cover this call.
    const call: CallInfo = { sessionId: 'ses_theirs', client: 'claude-code', server: 'memory', method: 'tools/call', tool: 'create_entities', actionClass: 'write', argsDigest: 'd', arguments: {}, requestId: '1' };
    socket.write(`${JSON.stringify({ t: 'decide', rid: 1, call, ruleId: null, reason: '' })}\n`);
    await expect.poll(() => decided.length).toBe(1);
    expect(decided[0]).toMatchObject({ sessionId: 'ses_mine', server: 'memory' });
  });
});
