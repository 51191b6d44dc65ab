import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../main/firewall/api/control-api.js';
import { createEngine, type Engine } from '../../main/firewall/engine.js';
import { waitFor } from '../helpers/engine-harness.js';
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
    await waitFor(() => closedEarly.length >= 3, 'the connections past the cap to be closed', 20_000);
    // A moment more, in which a connection the cap took would be closed too if it were.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedEarly.sort()).toEqual([5, 6, 7]);
  });
});

describe('the control API and other accounts on the machine', () => {
  let dir: string;
  let engine: Engine;
  let api: ControlApi;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-peer-user-'));
    engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    api = await startControlApi(engine, { port: 0, token: 'test-token', dashboard: false });
  });
  afterAll(async () => {
    await api.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Needs root to run a client as another account (CI runs as root).
  const canSwitchUser = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
  it.runIf(canSwitchUser)('refuses connections from another account on this machine, and takes this user\'s', async () => {
    const probe = `fetch('http://127.0.0.1:${'${PORT}'}/api/health').then((r) => console.log('ANSWERED', r.status), (e) => console.log('REFUSED', e.cause?.code ?? e.message))`;
    const run = (asNobody: boolean) => new Promise<string>((resolve) => {
      const code = probe.replace('${PORT}', String(api.port));
      const command = asNobody ? ['/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', code]] as const : [process.execPath, ['-e', code]] as const;
      const child = spawn(command[0], [...command[1]], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out.trim()));
    });
    expect(await run(false)).toMatch(/^ANSWERED \d{3}$/); // an HTTP answer (401: no token), not a closed connection
    expect(await run(true)).toMatch(/^REFUSED/);
  });
});
