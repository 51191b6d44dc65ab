import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { CLI } from './paths.js';

export interface RunningEngine {
  home: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** This data dir's route key, which every `/mcp/NAME` request carries. */
  routeKey: string;
  /** The interposer's URL for `server` (`part`: '/sse' for the legacy transport), key included. */
  route(server: string, part?: string): string;
  process: ChildProcess;
  stderr: () => string;
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  cli(args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** A row of GET /api/approvals, as far as tests read it. */
export interface PendingApproval {
  id: string;
  tool: string;
  server: string;
}

export interface EngineOptions {
  /** Policy YAML written to the data dir before start; the shipped default otherwise. */
  policy?: string;
  progressMs?: number;
  home?: string;
  /** Extra environment for serve and the CLI (e.g. HOME of a temp user with client configs). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function makeHome(): string {
  return mkdtempSync(join(tmpdir(), 'mcpfw-'));
}

export function routeUrl(port: number, key: string, server: string, part = ''): string {
  return `http://127.0.0.1:${port}/mcp/${encodeURIComponent(server)}${part}?key=${key}`;
}

/** A real `mcp-firewall serve` in a fresh data dir, on an ephemeral port. */
export async function startEngine(options: EngineOptions = {}): Promise<RunningEngine> {
  const home = options.home ?? makeHome();
  if (options.policy !== undefined) writeFileSync(join(home, 'policy.yaml'), options.policy);
  const env = { ...process.env, ...options.env, MCP_FIREWALL_HOME: home, MCP_FIREWALL_PROGRESS_MS: String(options.progressMs ?? 200), MCP_FIREWALL_GATE_MS: '200', MCP_FIREWALL_CONFIG_POLL_MS: '200' };
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const controlFile = join(home, 'control.json');
  // Generous: a loaded two-core box starting several engines at once is slow, never wrong.
  const deadline = Date.now() + 20_000;
  // Ours once it names our pid: an engine killed in this data dir left its own behind.
  const announced = () => existsSync(controlFile) && (JSON.parse(readFileSync(controlFile, 'utf8')) as { pid: number }).pid === child.pid;
  while (!announced()) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const { port } = JSON.parse(readFileSync(controlFile, 'utf8')) as { port: number };
  const token = readFileSync(join(home, 'control-token'), 'utf8').trim();
  const routeKey = readFileSync(join(home, 'route-key'), 'utf8').trim();
  return {
    home,
    env,
    port,
    routeKey,
    route: (server, part = '') => routeUrl(port, routeKey, server, part),
    process: child,
    stderr: () => stderr,
    async api(method, path, body) {
      const response = await fetch(`http://127.0.0.1:${port}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: await response.json() };
    },
    cli(args) {
      const result = spawnSync(process.execPath, [CLI, ...args], { env, cwd: options.cwd, encoding: 'utf8' });
      return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

/**
 * A real engine for the tests of the calling describe block: started (with `approve` registered)
 * before them, stopped and its data dir removed after them. Returns a getter, since the engine
 * exists only once the block's beforeAll has run.
 *
 * Call it before the block's own hooks: vitest runs afterAll hooks in reverse order
 * (sequence.hooks 'stack'), so connections the block closes in its afterAll close before the
 * engine stops, and a hanging shim never outlives its engine.
 */
export function useEngine(options: EngineOptions & { approve?: string[] } = {}): () => RunningEngine {
  const { approve = [], ...engineOptions } = options;
  let engine: RunningEngine | undefined;
  beforeAll(async () => {
    engine = await startEngine(engineOptions);
    for (const name of approve) {
      const result = engine.cli(['registry', 'approve', name]);
      expect(result.code, result.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    // A failed start leaves nothing to stop; the start's own error is the one worth reading.
    if (!engine) return;
    await engine.stop();
    removeHome(engine.home);
  });
  return () => {
    if (!engine) throw new Error('the engine is not started: use it inside a test or hook');
    return engine;
  };
}

/**
 * Polls until `check` returns a value, for state that changes in another process. The default
 * bound is generous: reaching it only costs time when the test fails, and a busy CI box may need it.
 */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The value or the error a promise settles with, so a rejection is never unhandled while a test waits elsewhere. */
export function settled<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.then((value) => value, (error: Error) => error);
}

/** Denies a waiting call's approval through the control API; the call, once settled, says so. */
export async function denyAndExpectDenied(engine: Pick<RunningEngine, 'api'>, approvalId: string, call: Promise<unknown>): Promise<void> {
  await engine.api('POST', `/approvals/${approvalId}/deny`);
  expect(String(await call)).toMatch(/denied by the approver/);
}
