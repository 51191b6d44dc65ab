import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlApi, type ControlApi } from '../../main/firewall/api/control-api.js';
import { createEngine, type Engine } from '../../main/firewall/engine.js';
import { REPO_ROOT } from '../helpers/paths.js';

// A request whose body stalls (a client that died mid-write, a slowloris) is answered 408
// and its connection closed, not held for Node's default five minutes.

describe('the control API with a request that never arrives whole', () => {
  let dir: string;
  let engine: Engine;
  let api: ControlApi;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-request-timeout-'));
    engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml') });
    api = await startControlApi(engine, { port: 0, token: 'test-token', dashboard: false, requestTimeoutMs: 500 });
  });
  afterAll(async () => {
    await api.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a stalled body with 408 and closes the connection', async () => {
    const socket = connect(api.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /api/policy/emergency-write-approval HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\nAuthorization: Bearer test-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"enab`);
    const started = Date.now();
    await closed;
    // The limit here is 0.5 s, checked every 0.5 s; the default one is 30 s, and Node's own
    // check runs every 30 s: either one not applied would keep the connection 30 s or more.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(engine.emergencyWriteApproval()).toBe(false);
  });
});
