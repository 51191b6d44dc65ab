import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeHome, settled, startEngine, useEngine, waitFor } from '../helpers/engine-harness.js';
import { MEMORY_SERVER, REPO_ROOT } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('control API: bad input', () => {
  const engine = useEngine();
  let auth: Record<string, string>;
  beforeAll(() => {
    auth = { authorization: `Bearer ${readFileSync(join(engine().home, 'control-token'), 'utf8').trim()}` };
  });

  it('answers a path parameter with malformed percent-encoding with a 400, not a 500', async () => {
    const cases: Array<[method: string, path: string]> = [['POST', '/api/registry/%E0%A4%A/disable'], ['POST', '/api/approvals/%/allow'], ['GET', '/api/quarantine/%ZZ'], ['GET', '/api/pins/%/diff']];
    for (const [method, path] of cases) {
      const answer = await rawRequest(engine().port, { method, path, headers: auth });
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: expect.stringContaining('percent-encoding') });
    }
    expect((await engine().api('GET', '/health')).status).toBe(200);
  });

  it('answers SQL that fails or is refused with a 400 and its message, not a 500', async () => {
    const bad = await rawRequest(engine().port, { path: `/api/audit?sql=${encodeURIComponent('SELEC nonsense')}`, headers: auth });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: expect.stringContaining('syntax error') });
    const vacuum = await rawRequest(engine().port, { path: `/api/audit?sql=${encodeURIComponent("VACUUM INTO '/tmp/never'")}`, headers: auth });
    expect(vacuum.status).toBe(400);
    const attach = await rawRequest(engine().port, { path: `/api/audit?sql=${encodeURIComponent("ATTACH '/etc/hosts' AS other")}`, headers: auth });
    expect(attach.status).toBe(400);
    expect(JSON.parse(attach.body)).toMatchObject({ error: expect.stringContaining('ATTACH opens another database file') });
    expect((await rawRequest(engine().port, { path: '/api/audit?sql=SELECT%201', headers: auth })).status).toBe(200);
  });

  it('keeps answering while an audit query that never ends runs (it runs in a child the engine can kill)', async () => {
    const endless = 'WITH x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) SELECT count(*) FROM x';
    const abandoned = new AbortController();
    const running = fetch(`http://127.0.0.1:${engine().port}/api/audit?sql=${encodeURIComponent(endless)}`, { headers: auth, signal: abandoned.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 300)); // the query is under way
    const started = Date.now();
    expect((await rawRequest(engine().port, { path: '/api/health', headers: auth })).status).toBe(200);
    expect((await rawRequest(engine().port, { path: '/api/audit?sql=SELECT%201%20AS%20one', headers: auth })).body).toContain('"one":1');
    // Run on the engine's thread, the endless query would hold these for good (until the
    // test's own 30 s); beside it, they take well under a second, a new query child included.
    expect(Date.now() - started).toBeLessThan(15_000);
    abandoned.abort();
    expect(await running).toBe('aborted');
  });

  it('keeps answering while an audit query that is slow to compile is checked (the check compiles it in the child too)', async () => {
    // Each NOT MATERIALIZED level reads the one before twice: SQLite's program doubles per level.
    const ctes = ['t0(x) AS NOT MATERIALIZED (SELECT 1)'];
    for (let i = 1; i <= 19; i++) ctes.push(`t${i}(x) AS NOT MATERIALIZED (SELECT a.x FROM t${i - 1} a UNION ALL SELECT b.x FROM t${i - 1} b)`);
    const slow = `WITH ${ctes.join(', ')} SELECT count(*) FROM t19`;
    const abandoned = new AbortController();
    const running = fetch(`http://127.0.0.1:${engine().port}/api/audit?sql=${encodeURIComponent(slow)}`, { headers: auth, signal: abandoned.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 300)); // the query is under way
    const started = Date.now();
    expect((await rawRequest(engine().port, { path: '/api/health', headers: auth })).status).toBe(200);
    // Compiled on the engine's thread, this statement holds it ~12 s of CPU; beside it, ms.
    expect(Date.now() - started).toBeLessThan(5_000);
    abandoned.abort();
    expect(await running).toBe('aborted');
  });

  it('refuses malformed JSON even on a route that takes no fields, before acting', async () => {
    expect((await engine().api('POST', '/registry/bad-input-server/approve')).status).toBe(200);
    const answer = await rawRequest(engine().port, { method: 'POST', path: '/api/registry/bad-input-server/disable', headers: { ...auth, 'content-type': 'application/json' }, body: '{oops' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: expect.stringContaining('malformed JSON') });
    const entry = ((await engine().api('GET', '/registry')).body as Array<{ name: string; enabled: boolean }>).find((e) => e.name === 'bad-input-server');
    expect(entry?.enabled).toBe(true);
    // An empty body is still fine for it.
    expect((await rawRequest(engine().port, { method: 'POST', path: '/api/registry/bad-input-server/disable', headers: auth })).status).toBe(200);
  });

  it('answers a known path with the wrong method with a 405 and Allow, an unknown path with a 404', async () => {
    const get = await rawRequest(engine().port, { path: '/api/tokens/revoke', headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const put = await rawRequest(engine().port, { method: 'PUT', path: '/api/health', headers: auth });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET');
    expect((await rawRequest(engine().port, { method: 'DELETE', path: '/api/nope', headers: auth })).status).toBe(404);
  });

  it('answers a dashboard asset path with malformed percent-encoding with a 404, not a 500', async () => {
    const login = engine().cli(['dashboard', '--print-url']);
    expect(login.code, login.stderr).toBe(0);
    const url = new URL(login.stdout.trim());
    const redirect = await rawRequest(engine().port, { path: `${url.pathname}${url.search}` });
    expect(redirect.status).toBe(303);
    const cookie = String(redirect.headers['set-cookie']).split(';')[0]!;
    for (const path of ['/assets/%', '/assets/%E0%A4%A']) {
      expect((await rawRequest(engine().port, { path, headers: { cookie } })).status, path).toBe(404);
    }
    // Traversal, plain or encoded, never leaves the renderer directory.
    for (const path of ['/assets/..%2f..%2f..%2f..%2fetc%2fpasswd', '/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const answer = await rawRequest(engine().port, { path, headers: { cookie } });
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('root:');
    }
  });
});

describe('control API: answering one approval twice at once', () => {
  const engine = useEngine({ policy: readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8'), approve: ['memory'] });

  it('takes exactly one of a concurrent allow, deny and allow; the others get a 404', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'mcpfw-double-'));
    const memory = await connectThroughShim({ env: { ...engine().env, MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') } }, 'memory', [MEMORY_SERVER]);
    try {
      const call = settled(memory.client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'Ada', entityType: 'person', observations: [] }] } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string }>)[0], 'a pending approval');
      const answers = await Promise.all(['allow', 'deny', 'allow'].map((verdict) => engine().api('POST', `/approvals/${pending.id}/${verdict}`, {})));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404]);
      // The call ends once, with whichever verdict came first (a deny rejects it).
      const outcome = await call;
      const winner = ['allow', 'deny', 'allow'][answers.findIndex((a) => a.status === 200)];
      if (winner === 'allow') expect(outcome).not.toBeInstanceOf(Error);
      else expect(outcome).toBeInstanceOf(Error);
      expect((await engine().api('GET', '/approvals')).body).toEqual([]);
    } finally {
      await memory.close();
    }
  });
});

describe('control API: a request that never ends', () => {
  it('does not hold the engine when it stops', async () => {
    const engine = await startEngine();
    try {
      const token = readFileSync(join(engine.home, 'control-token'), 'utf8').trim();
      const socket = connect(engine.port, '127.0.0.1');
      socket.on('error', () => {});
      // Declares 1000 bytes, sends one, then stalls.
      socket.write(`POST /api/tokens/revoke HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{`);
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      await engine.stop();
      // The stalled request gets a 1 s grace; held until its 30 s request limit, it kept the
      // engine that long.
      expect(Date.now() - started).toBeLessThan(15_000);
      socket.destroy();
    } finally {
      await engine.stop();
      removeHome(engine.home);
    }
  }, 60_000);
});
