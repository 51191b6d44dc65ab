import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../../main/firewall/engine.js';
import { startShimServer } from '../../../main/firewall/ipc/shim-server.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('shim server under an engine fault', () => {
  it('refuses a server it cannot check instead of crashing or admitting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-fault-'));
    dirs.push(dir);
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    const server = await startShimServer(engine, join(dir, 'engine.sock'));
    engine.db.close(); // every registry lookup now throws
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const socket = connect(join(dir, 'engine.sock'), () => {
        socket.write(`${JSON.stringify({ t: 'hello', server: 's', client: 'c', command: 'x', args: [], sessionId: 'ses_f', pid: 1 })}\n`);
      });
      socket.once('data', (chunk) => {
        socket.destroy();
        resolve(JSON.parse(chunk.toString().split('\n')[0]!) as Record<string, unknown>);
      });
      socket.once('error', reject);
    });
    expect(reply).toMatchObject({ t: 'refused', reason: expect.stringContaining('engine error') });
    await server.close();
    // Its policy watcher and timers too: a reload after the test would audit into the closed
    // database ("statement has been finalized", an unhandled error in a later test's time).
    expect(() => engine.close()).toThrow(/finalized|not open/);
  });

  it('hangs up on a connection whose line outgrows the limit, and keeps serving the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-fault-'));
    dirs.push(dir);
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    const server = await startShimServer(engine, join(dir, 'engine.sock'), 64 * 1024);
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(join(dir, 'engine.sock'), () => {
        let sent = 0;
        const more = () => {
          // Never a newline: without the limit the engine would hold all of it. (A message
          // after it, in the same write, must not be handled either.)
          if (sent === 0) {
            socket.write(Buffer.concat([Buffer.alloc(70 * 1024, 0x61), Buffer.from(`\n${JSON.stringify({ t: 'hello', server: 'smuggled', client: 'c', command: 'x', args: [], sessionId: 'ses_s', pid: 1 })}\n`)]));
            sent += 70 * 1024;
          }
          while (sent < 8 * 1024 * 1024 && socket.write(Buffer.alloc(16 * 1024, 0x61))) sent += 16 * 1024;
        };
        socket.on('drain', more);
        socket.once('close', () => resolve(sent));
        more();
      });
      socket.once('error', () => undefined);
      setTimeout(() => reject(new Error('the engine kept reading')), 15_000);
    });
    expect(closedAfter).toBeLessThan(8 * 1024 * 1024);
    expect(engine.db.prepare("SELECT count(*) AS n FROM mcp_audit WHERE server_name = 'smuggled'").get()).toEqual({ n: 0 });
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const socket = connect(join(dir, 'engine.sock'), () => {
        socket.write(`${JSON.stringify({ t: 'hello', server: 'nobody', client: 'c', command: 'x', args: [], sessionId: 'ses_g', pid: 1 })}\n`);
      });
      socket.once('data', (chunk) => {
        socket.destroy();
        resolve(JSON.parse(chunk.toString().split('\n')[0]!) as Record<string, unknown>);
      });
      socket.once('error', reject);
    });
    expect(reply.t).toBe('refused');
    await server.close();
    engine.close();
  });
});

