import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { useEngine, type RunningEngine } from './engine-harness.js';
import { EVERYTHING_SERVER, FIXTURES } from './paths.js';

export const HEADER_SERVER = join(FIXTURES, 'servers', 'http-header-server.mjs');
/** A 2026-07-28 (stateless) server on the v2 SDK: see the fixture's header for its tools. */
export const MODERN_SERVER = join(FIXTURES, 'servers', 'modern-http-server.mjs');

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
    stop: () => stopChild(child),
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

/** The 2026-07-28 fixture (endpoint /mcp); POST /flip changes a tool, GET /seen says what reached it. */
export async function startModernHttp(env: NodeJS.ProcessEnv = {}): Promise<RemoteServer> {
  return startHttpServer([MODERN_SERVER], await freePort(), env, /"port":/, '/mcp');
}

/** What each POST the modern fixture got carried (its GET /seen). */
export interface ModernSeen {
  id: string | number | null;
  method: string | null;
  envelope: string | null;
  client: string | null;
  /** The request carried `params.inputResponses` (a multi round-trip retry). */
  inputResponses: boolean;
  headers: Record<string, string | null>;
}

export async function modernSeen(remote: RemoteServer): Promise<ModernSeen[]> {
  return (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as ModernSeen[];
}

/** Our fixture that records the headers of every request it receives (GET /seen); `path` '/sse' for its legacy SSE side. */
export async function startHeaderServer(port?: number, path: '/mcp' | '/sse' = '/mcp', env: NodeJS.ProcessEnv = {}): Promise<RemoteServer> {
  return startHttpServer([HEADER_SERVER], port ?? (await freePort()), env, /"port":/, path);
}

/**
 * For a suite about what reaches the upstream: an engine that allows everything and our
 * header-recording server registered as 'headers' (`sse`: its legacy SSE side), started
 * before the suite's tests and stopped after. Call it in a describe block.
 */
export function useHeaderServerEngine(transport: 'http' | 'sse' = 'http', env: NodeJS.ProcessEnv = {}): { engine(): RunningEngine; remote(): RemoteServer } {
  const engine = useEngine({ policy: 'version: v1\ndefaults:\n  decision: ALLOW\nrules: []\n' });
  let remote: RemoteServer | undefined;
  beforeAll(async () => {
    remote = await startHeaderServer(undefined, transport === 'sse' ? '/sse' : '/mcp', env);
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

/**
 * The header server's `flood` tool (POST /flood): COUNT notifications of SIZE bytes, then
 * its result, 64 MB in all: far more than every buffer between the two ends holds.
 */
export const FLOOD = { count: 1_000, size: 64 * 1024 };

export function floodCall(id: number): unknown {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'flood', arguments: { count: FLOOD.count, size: FLOOD.size } } };
}

/** How many bytes the flood has written so far: it writes only as fast as its reader drains it. */
export async function floodWritten(remote: RemoteServer): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${remote.port}/flood/written`)).json()) as { bytes: number }).bytes;
}

/** Polls `read` until it has not changed for a second. */
export async function settledValue(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let still = 0; still < 10; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** Sends a request and hands back the response unread: its socket fills, as a stalled client's does. */
export function unreadResponse(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, resolve);
    req.once('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Reads an event stream to its end (or past `until`), pausing now and then like a client busy elsewhere. */
export async function readSlowly(response: IncomingMessage, until?: string): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  let tail = ''; // searched instead of `text`: searching a long concatenated string flattens it each time
  let chunks = 0;
  for await (const chunk of response) {
    text += chunk as string;
    if (until !== undefined) {
      const window = tail + (chunk as string);
      if (window.includes(until)) break;
      tail = window.slice(-until.length);
    }
    if (++chunks % 64 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return text;
}

/** The JSON-RPC messages of an event stream's `message` events. */
export function messageEvents(stream: string): Array<Record<string, unknown>> {
  return stream
    .split('\n\n')
    .filter((event) => event.startsWith('event: message\ndata: '))
    .map((event) => JSON.parse(event.slice('event: message\ndata: '.length)) as Record<string, unknown>);
}

/** Every flood notification arrived, whole and in order, then the result of call `id`. */
export function expectWholeFlood(messages: Array<Record<string, unknown>>, id: number): void {
  const notifications = messages.filter((m) => m.method === 'notifications/message');
  expect(notifications).toHaveLength(FLOOD.count);
  notifications.forEach((m, i) => {
    if ((m.params as { data: string }).data !== `${i}:${String(i % 10).repeat(FLOOD.size)}`) throw new Error(`notification ${i} arrived damaged or out of order`);
  });
  expect(messages.find((m) => m.id === id)).toMatchObject({ result: { content: [{ text: `flooded ${FLOOD.count}` }] } });
}

/** Kills a fixture server's process and waits for it to be gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
