import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMemorySecretStore, type MemorySecretStore } from '../../main/firewall/identity/memory-store.js';
import { oauthLogin } from '../../main/firewall/identity/oauth-login.js';
import type { RemotePin } from '../../main/firewall/registry/registry.js';
import { FIXTURES } from '../helpers/paths.js';
import { waitFor } from '../helpers/engine-harness.js';
import { stopChild } from '../helpers/remote-server.js';

// The OAuth-protected fixture server (test/fixtures/servers/oauth-server.mjs) in its own
// process, and a stand-in for the user's browser. Shared by the integration and keychain suites.

export const OAUTH_SERVER = join(FIXTURES, 'servers', 'oauth-server.mjs');

/** What the fixture's authorization server was asked (GET /admin/log). */
export type OAuthLogEntry =
  | { kind: 'register'; redirect_uris: string[]; token_endpoint_auth_method: string | null }
  | { kind: 'authorize'; resource: string | null; state: string | null; challenge: boolean; redirectUri: string }
  | { kind: 'token'; grant: 'authorization_code' | 'refresh_token'; resource: string | null; scope?: string }
  | { kind: 'revoke'; hint: string | null; known: boolean; clientId: string }
  /** One MCP request: `rpc` names its methods (`tools/call NAME` for a call; null for the GET stream). */
  | { kind: 'request'; http: string; path: string; rpc: string | null; scopes: string[]; token: string }
  /** A bearer token presented to the MCP or SSE endpoint, whether it was taken or refused. */
  | { kind: 'presented'; path: string; token: string };

export interface OAuthServer {
  /** The MCP endpoint (what a registry pin holds). */
  url: string;
  /** The same server's legacy HTTP+SSE endpoint (an `--sse` pin), a protected resource of its own. */
  sseUrl: string;
  port: number;
  /** The authorization server's origin, on a port of its own. */
  issuer: string;
  log(): Promise<OAuthLogEntry[]>;
  /** Every access token stops working: the next call gets 401. */
  revokeAccess(): Promise<void>;
  /** Access and refresh tokens both stop working: a refresh fails with invalid_grant. */
  revokeRefresh(): Promise<void>;
  /** The revocation endpoint (RFC 7009) answers 500 from now on. */
  failRevocation(): Promise<void>;
  /** The token endpoint never answers from now on. */
  hangTokens(): Promise<void>;
  /** Token requests wait from now on, until releaseTokens(); resolves once one is waiting. */
  holdTokens(): Promise<{ waiting: () => Promise<void> }>;
  releaseTokens(): Promise<void>;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startOAuthServer(env: NodeJS.ProcessEnv = {}): Promise<OAuthServer> {
  const child = spawn(process.execPath, [OAUTH_SERVER], { env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ports = await new Promise<{ port: number; authPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oauth fixture did not start: ${output}`)), 10_000);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { port: number; authPort: number });
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', () => reject(new Error(`oauth fixture exited: ${output}`)));
  });
  const admin = async (path: string, method = 'POST') => fetch(`http://127.0.0.1:${ports.port}/admin/${path}`, { method });
  return {
    url: `http://127.0.0.1:${ports.port}/mcp`,
    sseUrl: `http://127.0.0.1:${ports.port}/sse`,
    port: ports.port,
    issuer: `http://127.0.0.1:${ports.authPort}/`,
    log: async () => (await (await admin('log', 'GET')).json()) as OAuthLogEntry[],
    revokeAccess: async () => void (await admin('revoke-access')).body?.cancel(),
    revokeRefresh: async () => void (await admin('revoke-refresh')).body?.cancel(),
    failRevocation: async () => void (await admin('revocation-fails')).body?.cancel(),
    hangTokens: async () => void (await admin('token-hangs')).body?.cancel(),
    holdTokens: async () => {
      await (await admin('token-hold')).body?.cancel();
      return {
        waiting: async () => {
          // By the clock, not a count of polls: under a full parallel test run each poll is slow.
          const deadline = Date.now() + 15_000;
          while (Date.now() < deadline) {
            if (((await (await admin('token-held', 'GET')).json()) as { held: number }).held > 0) return;
            await new Promise((r) => setTimeout(r, 10));
          }
          throw new Error('no token request reached the fixture');
        },
      };
    },
    releaseTokens: async () => void (await admin('token-release')).body?.cancel(),
    process: child,
    stop: () => stopChild(child),
  };
}

/** The authorization URL a login printed, once it has. */
export async function authorizationUrlIn(output: () => string, timeoutMs = 10_000): Promise<URL> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = /^\s+(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(output());
    if (found) return new URL(found[1]!);
    if (Date.now() > deadline) throw new Error(`no authorization URL printed: ${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * What the user's browser does: opens the authorization URL (the fixture approves at once)
 * and follows its redirect to the firewall's loopback listener. `rewrite` lets a test
 * tamper with that redirect first. Returns the listener's answer.
 */
export async function playBrowser(authorizationUrl: URL, rewrite: (redirect: URL) => URL = (u) => u): Promise<{ status: number; text: string; redirect: URL }> {
  const approval = await fetch(authorizationUrl, { redirect: 'manual' });
  await approval.body?.cancel();
  const location = approval.headers.get('location');
  if (approval.status !== 302 || !location) throw new Error(`the authorization server did not redirect (HTTP ${approval.status})`);
  const redirect = rewrite(new URL(location));
  const landed = await fetch(redirect);
  return { status: landed.status, text: await landed.text(), redirect };
}

/** Runs a login command to the end, playing the browser: `start` runs it, `output` is what it has printed so far. */
export async function loginPlayingBrowser(start: () => Promise<number>, output: () => string): Promise<{ code: number; authorizationUrl: URL }> {
  const running = start();
  // A login that fails before printing its URL must fail the test with its own error.
  const authorizationUrl = await Promise.race([authorizationUrlIn(output), running.then((code) => Promise.reject(new Error(`login ended (${code}) before printing a URL: ${output()}`)))]);
  const landed = await playBrowser(authorizationUrl);
  if (landed.status !== 200) throw new Error(`the loopback listener answered ${landed.status}: ${landed.text}`);
  return { code: await running, authorizationUrl };
}

/** A fresh `auth login` of `server` in process, the browser played: its secrets, in a keychain of their own. */
export async function loginInMemory(server: string, pin: RemotePin): Promise<{ store: MemorySecretStore; secrets: Record<string, string> }> {
  let shown: URL | undefined;
  const running = oauthLogin({ server, pin, previous: null, timeoutMs: 10_000, onAuthorizationUrl: (url) => (shown = url) });
  await playBrowser(await waitFor(() => shown, 'the authorization URL', 20_000));
  const { secrets } = await running;
  const store = createMemorySecretStore();
  for (const [name, value] of Object.entries(secrets)) await store.set({ server, name }, value);
  return { store, secrets };
}
