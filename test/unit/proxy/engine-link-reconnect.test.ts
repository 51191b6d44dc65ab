import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectEngine, type EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { waitFor } from '../../helpers/engine-harness.js';

const dirs: string[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/**
 * A stand-in engine on a unix socket: each connection is answered by the next behaviour in
 * line — welcome (and stay), welcome then drop, drop before answering hello, or never answer.
 */
function fakeEngine(dir: string, behaviours: Array<'welcome' | 'welcome-then-drop' | 'drop' | 'silent' | 'late-welcome'>): { path: string; hellos: Array<Record<string, unknown>>; server: Server; lateWelcomesSent: () => number } {
  const path = join(dir, 'engine.sock');
  const hellos: Array<Record<string, unknown>> = [];
  let lateWelcomesSent = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const behaviour = behaviours.shift() ?? 'welcome';
    socket.once('data', (chunk) => {
      hellos.push(JSON.parse(chunk.toString().split('\n')[0]!) as Record<string, unknown>);
      if (behaviour === 'drop') return void socket.destroy();
      if (behaviour === 'silent') return; // a wedged engine: the connection taken, never answered
      const spool = join(dir, `spool-${hellos.length}.ndjson`);
      if (behaviour === 'late-welcome') {
        setTimeout(() => {
          if (!socket.destroyed) socket.write(`${JSON.stringify({ t: 'welcome', snapshot: { version: hellos.length, policy: {}, emergencyWriteApproval: false, pausedUntil: null }, env: {}, spool })}\n`);
          lateWelcomesSent++;
        }, 300);
        return;
      }
      socket.write(`${JSON.stringify({ t: 'welcome', snapshot: { version: hellos.length, policy: {}, emergencyWriteApproval: false, pausedUntil: null }, env: {}, spool })}\n`);
      if (behaviour === 'welcome-then-drop') setTimeout(() => socket.destroy(), 20);
    });
  });
  server.listen(path);
  cleanups.push(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return { path, hellos, server, lateWelcomesSent: () => lateWelcomesSent };
}

describe("the shim's engine link across engine restarts", () => {
  it('says hello again for the same session once the engine is back, also after a try that died before its welcome', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-link-'));
    dirs.push(dir);
    const engine = fakeEngine(dir, ['welcome-then-drop', 'drop', 'welcome']);
    const link: EngineLink = await connectEngine(engine.path);
    cleanups.unshift(() => link.close());
    const snapshots: number[] = [];
    link.onSnapshot((s) => snapshots.push(s.version));
    const admission = await link.hello({ server: 'srv', client: 'test', command: 'node', args: [], sessionId: 'sess-1', pid: 1 });
    expect(admission.admitted).toBe(true);
    await waitFor(() => link.closed, 'the engine to go away');
    // The second connection dies before answering; the third welcomes.
    await waitFor(() => !link.closed, 'the link to be back', 15_000);
    expect(engine.hellos.map((h) => [h.sessionId, h.resumed ?? false])).toEqual([['sess-1', false], ['sess-1', true], ['sess-1', true]]);
    expect(snapshots).toEqual([3]);
    // Rows go to the spool the engine named last.
    link.event({ event: 'protocol', decision: 'ERROR', reason: 'after the restart' });
    link.flush();
    expect(readFileSync(join(dir, 'spool-3.ndjson'), 'utf8')).toContain('after the restart');
  });

  it('gives up on a hello the engine takes and never answers, saying so, instead of waiting for good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-link-'));
    dirs.push(dir);
    const engine = fakeEngine(dir, ['silent']);
    const link = await connectEngine(engine.path, 2_000, 300);
    cleanups.unshift(() => link.close());
    const started = Date.now();
    await expect(link.hello({ server: 'srv', client: 'test', command: 'node', args: [], sessionId: 'sess-2', pid: 1 })).rejects.toThrow(/took the connection but did not answer within 0.3 s/);
    // The limit here is 0.3 s; the default one (a limit not passed on) is 120 s.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up on a reconnect hello the engine takes and never answers, and tries again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-link-'));
    dirs.push(dir);
    const engine = fakeEngine(dir, ['welcome-then-drop', 'silent', 'welcome']);
    const link = await connectEngine(engine.path, 2_000, 300);
    cleanups.unshift(() => link.close());
    const snapshots: number[] = [];
    link.onSnapshot((s) => snapshots.push(s.version));
    expect((await link.hello({ server: 'srv', client: 'test', command: 'node', args: [], sessionId: 'sess-3', pid: 1 })).admitted).toBe(true);
    await waitFor(() => link.closed, 'the engine to go away');
    // The second engine takes the socket and never answers; the link drops it and tries a third.
    await waitFor(() => !link.closed, 'the link to be back', 15_000);
    expect(engine.hellos.map((h) => h.resumed ?? false)).toEqual([false, true, true]);
    expect(snapshots).toEqual([3]);
  });

  it('stays closed when a welcome comes back after the shim closed the link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-link-'));
    dirs.push(dir);
    const engine = fakeEngine(dir, ['welcome-then-drop', 'late-welcome']);
    const link = await connectEngine(engine.path, 2_000, 60_000);
    const snapshots: number[] = [];
    link.onSnapshot((s) => snapshots.push(s.version));
    await link.hello({ server: 'srv', client: 'test', command: 'node', args: [], sessionId: 'sess-3', pid: 1 });
    await waitFor(() => engine.hellos.length === 2, 'the resumed hello', 15_000);
    link.close();
    // Once the late welcome is out, a moment for the link to read it, were it still listening.
    await waitFor(() => engine.lateWelcomesSent() > 0, 'the late welcome', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(link.closed).toBe(true);
    expect(snapshots).toEqual([]);
  });
});
