import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { interposeBefore, type BareInterposer } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { ASK_FOR_WRITES_RULE } from '../../helpers/policies.js';
import { startModernHttp } from '../../helpers/remote-server.js';
import type { HttpInterposerOptions } from '../../../main/firewall/http/interposer.js';
import { startModernSession } from '../../../main/firewall/http/modern-session.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// The relays the interposer keeps for stateless (2026-07-28) clients: one per route and client
// name, policed as a session, ended when idle; and their long-lived subscription streams.

const POLICY = `version: v1
defaults:
  decision: ALLOW
rules:
${ASK_FOR_WRITES_RULE}`;
// Requests no rule limits run 0.1 s: the POST silence bound is then the interposer's own.
const SHORT_RUNTIME_POLICY = POLICY.replace('  decision: ALLOW\n', '  decision: ALLOW\n  max_runtime_sec: 0.1\n');

async function interposed(options: Omit<HttpInterposerOptions, 'socketPath'>, env: NodeJS.ProcessEnv = {}, policy = POLICY): Promise<BareInterposer & { remotePort: number }> {
  let port = 0;
  const bare = await interposeBefore('mcpfw-modern-', async () => {
    const remote = await startModernHttp(env);
    port = remote.port;
    return { url: remote.url, close: remote.stop };
  }, 'http', { interposer: options, policy });
  return Object.assign(bare, { remotePort: port });
}

async function connect(endpoint: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
  return client;
}

describe('the relays of 2026-07-28 clients', () => {
  let bare: (BareInterposer & { remotePort: number }) | undefined;
  afterEach(async () => {
    await bare?.close();
    bare = undefined;
  });
  const rows = (sql: string, ...args: string[]) => bare!.running.engine.db.prepare(sql).all(...args) as Array<Record<string, unknown>>;

  it('keeps a subscription open past the POST silence bound: a quiet subscription is no silent request', async () => {
    // A server that sends no keep-alives on its subscription stream: it may rightly stay quiet.
    bare = await interposed({ postStreamIdleMs: 300 }, { KEEPALIVE_MS: '600000' }, SHORT_RUNTIME_POLICY);
    const client = await connect(bare.endpoint, 'listener');
    try {
      let changed!: () => void;
      const told = new Promise<void>((resolve) => (changed = resolve));
      client.setNotificationHandler('notifications/tools/list_changed', () => changed());
      const subscription = await client.listen({ toolsListChanged: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await fetch(`http://127.0.0.1:${bare.remotePort}/flip`, { method: 'POST' });
      await Promise.race([told, new Promise((_, reject) => setTimeout(() => reject(new Error('no list_changed came on the subscription')), 15_000))]);
      await subscription.close();
    } finally {
      await client.close();
    }
    expect(rows("SELECT COUNT(*) AS n FROM mcp_audit WHERE rule_id = 'answer-idle'")).toEqual([{ n: 0 }]);
  });

  it("keeps a client's session-scoped approval across its POSTs, and only that client's", async () => {
    bare = await interposed({});
    const first = await connect(bare.endpoint, 'editor');
    try {
      const saved = first.callTool({ name: 'write_note', arguments: { text: 'one' } });
      const pending = await waitFor(() => bare!.running.engine.approvals.list().find((p) => p.tool === 'write_note'), 'a pending write_note');
      expect(bare.running.engine.approvals.answer(pending.id, 'allow', 'session')).toBe(true);
      await saved;
    } finally {
      await first.close();
    }
    // A new connection of the same client: each of its POSTs stands alone, the grant still holds.
    const again = await connect(bare.endpoint, 'editor');
    try {
      expect(JSON.stringify((await again.callTool({ name: 'write_note', arguments: { text: 'two' } })).content)).toContain('saved: two');
    } finally {
      await again.close();
    }
    const other = await connect(bare.endpoint, 'another-client');
    try {
      const asked = other.callTool({ name: 'write_note', arguments: { text: 'three' } });
      const pending = await waitFor(() => bare!.running.engine.approvals.list().find((p) => p.tool === 'write_note'), 'the other client asked');
      bare.running.engine.approvals.answer(pending.id, 'deny', 'once');
      await expect(asked).rejects.toThrow(/denied/i);
    } finally {
      await other.close();
    }
  });

  it('ends a relay its client has left idle, and admits the client anew when it comes back', async () => {
    bare = await interposed({ idleMs: 300 });
    const spawns = () => rows("SELECT COUNT(*) AS n FROM mcp_audit WHERE event = 'registry' AND method = 'spawn' AND client = 'returning'")[0]!.n;
    const client = await connect(bare.endpoint, 'returning');
    try {
      await client.callTool({ name: 'read_echo', arguments: { text: 'one' } });
      expect(spawns()).toBe(1);
      // The relay ended hangs up on the engine; asking it whether it is still there would keep it alive.
      await waitFor(() => bare!.running.connectedShims() === 0, 'the idle relay to be ended', 20_000);
      await client.callTool({ name: 'read_echo', arguments: { text: 'two' } });
      expect(spawns()).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('answers a request that reaches a relay already retired with 503, never leaving it without an answer', async () => {
    bare = await interposed({});
    const session = startModernSession({
      server: 'bare', socketPath: bare.running.engine.paths.socket, log: () => {}, credentialsLock: noCredentialsLock,
      client: 'late', target: { url: `http://127.0.0.1:${bare.remotePort}/mcp`, transport: 'http' }, onEnd: () => {},
    });
    session.retire();
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => session.post(JSON.parse(body) as never, req.headers, String(req.headers.accept), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const message = { jsonrpc: '2.0', id: 'late-1', method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'late', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } };
      const answer = await Promise.race([
        fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(message) }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), 15_000)),
      ]);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ id: 'late-1', error: { message: expect.stringContaining('send the request again') } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await session.finished;
    }
  });
});
