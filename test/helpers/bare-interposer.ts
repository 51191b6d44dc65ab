import { afterEach } from 'vitest';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpInterposer, type HttpInterposer, type HttpInterposerOptions } from '../../main/firewall/http/interposer.js';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint, type RemoteTransport } from '../../main/firewall/registry/registry.js';
import { startBareRemote, type BareRemote, type BareRequest } from './bare-remote.js';
import { routeUrl } from './engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from './in-process-engine.js';

export interface BareInterposer {
  running: InProcessEngine;
  remote: BareRemote;
  interposer: HttpInterposer;
  /** The interposer's route to the bare server (approved as 'bare'), key included. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * An in-process engine and its HTTP interposer in front of a hand-written remote server
 * (startBareRemote), approved as 'bare'; `options` tune the interposer (caps, budgets), the
 * policy and the remote's tools.
 */
export async function startBareInterposer(
  prefix: string,
  onRequest: (request: BareRequest) => void,
  options: InterposerOptions & {
    onDelete?: (res: ServerResponse) => void;
    onGet?: (res: ServerResponse) => void;
    /** What the remote's tools/list answers. */
    tools?: unknown[];
  } = {},
): Promise<BareInterposer> {
  return interposeBefore(prefix, () => startBareRemote(onRequest, options.onDelete, options.onGet, options.tools), 'http', options);
}

interface InterposerOptions {
  interposer?: Omit<HttpInterposerOptions, 'socketPath'>;
  /** The engine's policy.yaml (the shipped default when none). */
  policy?: string;
}

/**
 * The same, in front of any remote server `startRemote` starts (a bare legacy one, say),
 * approved as 'bare' over `transport`.
 */
export async function interposeBefore(prefix: string, startRemote: () => Promise<BareRemote>, transport: RemoteTransport, options: InterposerOptions = {}): Promise<BareInterposer> {
  const running = await startInProcessEngine(prefix, { secretEnv: async () => ({}) }, options.policy);
  const remote = await startRemote();
  approveServer(running.engine.registry, running.engine.audit, 'bare', 'test', remoteFingerprint(remote.url, transport));
  const interposer = createHttpInterposer(running.engine, { socketPath: running.engine.paths.socket, ...options.interposer });
  // As the control API does: a request that throws gets a 500, if it can.
  const server = createServer((req, res) => void interposer.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')).catch(() => res.headersSent || res.writeHead(500).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = routeUrl((server.address() as AddressInfo).port, running.engine.routeKey, 'bare');
  return {
    running, remote, interposer, endpoint,
    async close() {
      interposer.close();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await remote.close();
      await running.close();
    },
  };
}

/**
 * Opens the client's GET stream of `sessionId` on the interposer: `heard()` is what came on it
 * so far; `hangUp()` ends it (an open stream would hold the interposer's close).
 */
export async function listenOnGetStream(bare: BareInterposer, sessionId: string) {
  const hangUp = new AbortController();
  const listening = await fetch(bare.endpoint, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId }, signal: hangUp.signal });
  let heard = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of listening.body!) heard += decoder.decode(chunk as Uint8Array, { stream: true });
  })().catch(() => {});
  return { heard: () => heard, hangUp: () => hangUp.abort() };
}

/**
 * Closes what the enclosing describe's tests start, after each test:
 * `const closing = closedAfterEach(); … const bare = closing(await startBareInterposer(…));`.
 */
export function closedAfterEach<T extends { close(): Promise<void> }>(): (started: T) => T {
  const open: T[] = [];
  afterEach(async () => {
    for (const started of open.splice(0)) await started.close();
  });
  return (started) => {
    open.push(started);
    return started;
  };
}
