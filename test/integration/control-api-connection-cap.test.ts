import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../main/firewall/api/control-api.js';
import { createEngine, type Engine } from '../../main/firewall/engine.js';
import { REPO_ROOT } from '../helpers/paths.js';

// Any local process can open connections to the control port; past the cap new ones are
// closed at once, so a flood cannot take every file descriptor the engine has (the shims'
// socket, the database and the spool files share them).

describe('the control API under a connection flood', () => {
  let dir: string;
  let engine: Engine;
  let api: ControlApi;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-connection-cap-'));
    engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    api = await startControlApi(engine, { port: 0, token: 'test-token', dashboard: false, maxConnections: 5 });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await api.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes connections past the cap at once and keeps the ones it took', async () => {
    const closedEarly: number[] = [];
    for (let i = 0; i < 8; i++) {
      const socket = connect(api.port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => {});
      socket.once('close', () => closedEarly.push(i));
      await new Promise((resolve) => socket.once('connect', resolve));
      // A request line that never ends: a slowloris holding its connection open.
      socket.write('GET /api/health HTTP/1.1\r\n');
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedEarly.sort()).toEqual([5, 6, 7]);
  });
});
