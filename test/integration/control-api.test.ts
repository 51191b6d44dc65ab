import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeHome, removeHome, startEngine, useEngine, waitFor } from '../helpers/engine-harness.js';
import { CLI } from '../helpers/paths.js';

function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('control API', () => {
  const engine = useEngine();
  let token: string;
  beforeAll(async () => {
    token = readFileSync(join(engine().home, 'control-token'), 'utf8').trim();
  });

  it('keeps its bearer token in a file only the user can read', () => {
    expect(statSync(join(engine().home, 'control-token')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(engine().home, 'control.json'), 'utf8'))).toMatchObject({ port: engine().port, pid: engine().process.pid });
  });

  it('refuses requests without the token, with a foreign Host, or from a foreign Origin', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await rawRequest(engine().port, { path: '/api/health' })).status).toBe(401);
    expect((await rawRequest(engine().port, { path: '/api/health', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await rawRequest(engine().port, { path: '/api/health', headers: { ...auth, host: 'evil.example' } })).status).toBe(403);
    expect((await rawRequest(engine().port, { path: '/api/health', headers: { ...auth, origin: 'http://evil.example' } })).status).toBe(403);
    expect((await rawRequest(engine().port, { path: '/api/health', headers: { ...auth, origin: `http://localhost:${engine().port}` } })).status).toBe(200);
  });

  it('answers as JSON a browser never sniffs into a page, and never caches', async () => {
    for (const authorization of [`Bearer ${token}`, 'Bearer wrong']) {
      const response = await fetch(`http://127.0.0.1:${engine().port}/api/health`, { headers: { authorization } });
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers malformed JSON with a 400 and a message, and keeps serving', async () => {
    const res = await rawRequest(engine().port, {
      method: 'POST', path: '/api/policy/emergency-write-approval', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"enabled": tru',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatch(/malformed JSON/);
    expect((await engine().api('GET', '/health')).status).toBe(200);
    expect((await engine().api('POST', '/policy/emergency-write-approval', { enabled: 'yes' })).status).toBe(400);
    expect((await engine().api('GET', '/nope')).status).toBe(404);
  });

  it('refuses a deploy window with a bad span instead of opening one for the default hour', async () => {
    for (const minutes of ['abc', -5, 0, 99_999_999, null]) {
      const response = await engine().api('POST', '/pins/window', { ticket: 'CHG-1', minutes });
      expect(response.status).toBe(400);
    }
    expect(((await engine().api('GET', '/pins')).body as { deployWindow: unknown }).deployWindow).toBeNull();
    expect(engine().cli(['pins', 'window', 'open', 'CHG-1', '--minutes', 'abc'])).toMatchObject({ code: 2, stderr: "--minutes must be a number from 1 to 1440, not 'abc'\n" });
  });

  it("serves the seed's containment calls", async () => {
    engine().cli(['registry', 'approve', 'github']);
    expect((await engine().api('POST', '/registry/github/disable')).body).toMatchObject({ name: 'github', enabled: false });
    expect((await engine().api('POST', '/policy/emergency-write-approval')).body).toEqual({ emergencyWriteApproval: true });
    expect(engine().cli(['policy', 'emergency', 'status']).stdout).toContain('ON');
    expect((await engine().api('POST', '/registry/unknown/disable')).status).toBe(404);
  });

  it('approves with replace only when it is a boolean', async () => {
    const refused = await engine().api('POST', '/registry/github/approve', { replace: 'yes' });
    expect(refused).toMatchObject({ status: 400, body: { error: '"replace" must be true or false' } });
    expect((await engine().api('POST', '/registry/github/approve', { replace: true })).body).toMatchObject({ name: 'github', enabled: true, moreLaunches: [], grantsForgotten: 0 });
  });
});

describe('serve', () => {
  it('refuses to start on a broken policy and says where it is broken', () => {
    const home = makeHome();
    try {
      writeFileSync(join(home, 'policy.yaml'), 'version: v1\nrules:\n  - id: a\n    decision: PERHAPS\n');
      const result = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, MCP_FIREWALL_HOME: home }, encoding: 'utf8', timeout: 10_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/policy\.yaml:4:\d+: rules\.0\.decision/);
    } finally {
      removeHome(home);
    }
  });

  it('stops cleanly on SIGTERM and removes control.json', async () => {
    const engine = await startEngine();
    await engine.stop();
    expect(engine.process.exitCode).toBe(0);
    expect(existsSync(join(engine.home, 'control.json'))).toBe(false);
    expect(engine.stderr()).toContain('engine stopped');
    removeHome(engine.home);
  });

  it('replaces the control files a crashed engine left whole, never rewriting them in place', async () => {
    // A reader polls for control.json and reads it at once; a rewrite in place (truncate,
    // then write) let it see half the file. A new inode proves a rename; the extra links
    // keep the old inodes from being freed and handed out again.
    const home = makeHome();
    const control = join(home, 'control.json');
    const tokenFile = join(home, 'control-token');
    writeFileSync(control, JSON.stringify({ port: 1, socket: join(home, 'gone.sock'), pid: 2 ** 22 + 1 }), { mode: 0o644 });
    writeFileSync(tokenFile, 'stale\n', { mode: 0o644 });
    linkSync(control, `${control}.held`);
    linkSync(tokenFile, `${tokenFile}.held`);
    const before = { control: statSync(control).ino, token: statSync(tokenFile).ino };
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, MCP_FIREWALL_HOME: home }, stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(control) && readFileSync(control, 'utf8').includes(`"pid": ${child.pid}`), 'the new engine to announce itself');
      expect(statSync(control).ino).not.toBe(before.control);
      expect(statSync(tokenFile).ino).not.toBe(before.token);
      expect(statSync(control).mode & 0o777).toBe(0o600);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(tokenFile, 'utf8')).not.toContain('stale');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      removeHome(home);
    }
  });

  it('refuses to start twice on the same data dir', async () => {
    const engine = await startEngine();
    try {
      const second = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], { env: engine.env, encoding: 'utf8', timeout: 10_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain('already running');
    } finally {
      await engine.stop();
      removeHome(engine.home);
    }
  });
});
