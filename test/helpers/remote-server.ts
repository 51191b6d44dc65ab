import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { useEngine, type RunningEngine } from './engine-harness.js';
import { EVERYTHING_SERVER, FIXTURES } from './paths.js';

export const HEADER_SERVER = join(FIXTURES, 'servers', 'http-header-server.mjs');

export interface RemoteServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A real Streamable HTTP MCP server in its own process, listening on 127.0.0.1:port. */
async function startHttpServer(args: string[], port: number, env: NodeJS.ProcessEnv, ready: RegExp, path: string): Promise<RemoteServer> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`remote server did not start: ${output}`)), 10_000);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', () => reject(new Error(`remote server exited: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** server-everything in its Streamable HTTP mode (endpoint /mcp). */
export async function startEverythingHttp(env: NodeJS.ProcessEnv = {}): Promise<RemoteServer> {
  return startHttpServer([EVERYTHING_SERVER, 'streamableHttp'], await freePort(), env, /listening on port/, '/mcp');
}

/** server-everything in its legacy HTTP+SSE mode (GET /sse, POST /message). */
export async function startEverythingSse(env: NodeJS.ProcessEnv = {}): Promise<RemoteServer> {
  return startHttpServer([EVERYTHING_SERVER, 'sse'], await freePort(), env, /running on port/, '/sse');
}

/** Our fixture that records the headers of every request it receives (GET /seen); `path` '/sse' for its legacy SSE side. */
export async function startHeaderServer(port?: number, path: '/mcp' | '/sse' = '/mcp'): Promise<RemoteServer> {
  return startHttpServer([HEADER_SERVER], port ?? (await freePort()), {}, /"port":/, path);
}

/**
 * For a suite about what reaches the upstream: an engine that allows everything and our
 * header-recording server registered as 'headers' (`sse`: its legacy SSE side), started
 * before the suite's tests and stopped after. Call it in a describe block.
 */
export function useHeaderServerEngine(transport: 'http' | 'sse' = 'http'): { engine(): RunningEngine; remote(): RemoteServer } {
  const engine = useEngine({ policy: 'version: v1\ndefaults:\n  decision: ALLOW\nrules: []\n' });
  let remote: RemoteServer | undefined;
  beforeAll(async () => {
    remote = transport === 'sse' ? await startHeaderServer(undefined, '/sse') : await startHeaderServer();
    const approve = engine().cli(['registry', 'approve', 'headers', '--url', remote.url, ...(transport === 'sse' ? ['--sse'] : [])]);
    expect(approve.code, approve.stderr).toBe(0);
  });
  afterAll(async () => {
    await remote?.stop();
  });
  return { engine, remote: () => remote! };
}

/** The token a client sends for itself, which must never reach the upstream (DESIGN §6). */
export const CLIENT_TOKEN = 'Bearer client-token-must-not-leak';

/** Calls a tool over `transport` (which carries CLIENT_TOKEN) and returns every request the header server saw. */
export async function callWithClientToken(transport: Transport, remote: RemoteServer): Promise<Array<{ method: string; authorization: string | null }>> {
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: 'get-seen-headers', arguments: {} });
    expect(JSON.stringify(result.content)).not.toContain(CLIENT_TOKEN);
  } finally {
    await client.close();
  }
  return (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Array<{ method: string; authorization: string | null }>;
}
