import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { startShimServer } from '../../../main/firewall/ipc/shim-server.js';
import { desktopEngine } from '../desktop/desktop-engine.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('"session" answers end with the session', () => {
  it('forgets a session\'s "session" grants when its shim hangs up, and keeps another session\'s', async () => {
    const ctx = desktopEngine();
    cleanups.push(() => ctx.dispose());
    ctx.engine.registry.approveLaunch('memory', { command: 'node', args: [] }, { beside: true });
    const socketPath = join(ctx.engine.paths.dir, 'engine.sock');
    const server = await startShimServer(ctx.engine, socketPath);
    cleanups.push(() => server.close());

    /** A shim's session, admitted, with one write answered "allow for this session". */
    async function sessionWithGrant(sessionId: string) {
      const socket = connect(socketPath);
      cleanups.push(() => void socket.destroy());
      const lines: string[] = [];
      socket.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
      socket.write(`${JSON.stringify({ t: 'hello', server: 'memory', client: 'claude-code', command: 'node', args: [], sessionId, pid: 1 })}\n`);
      await expect.poll(() => lines.some((line) => line.includes('"welcome"'))).toBe(true);
      const call: CallInfo = { sessionId, client: 'claude-code', server: 'memory', method: 'tools/call', tool: 'create_entities', actionClass: 'write', argsDigest: 'd', arguments: {}, requestId: '1' };
      socket.write(`${JSON.stringify({ t: 'decide', rid: 1, call, ruleId: null, reason: '' })}\n`);
      await expect.poll(() => ctx.engine.approvals.list().length).toBe(1);
      ctx.engine.approvals.answer(ctx.engine.approvals.list()[0]!.id, 'allow', 'session');
      await expect.poll(() => lines.some((line) => line.includes('"verdict"'))).toBe(true);
      expect(ctx.engine.approvals.findGrant(sessionId, 'memory', 'create_entities', 'other-args')).not.toBeNull();
      return socket;
    }

    const ended = await sessionWithGrant('ses_ended');
    await sessionWithGrant('ses_running');
    ended.destroy();
    await expect.poll(() => ctx.engine.approvals.findGrant('ses_ended', 'memory', 'create_entities', 'other-args')).toBeNull();
    expect(ctx.engine.approvals.findGrant('ses_running', 'memory', 'create_entities', 'other-args')).not.toBeNull();
  });
});
