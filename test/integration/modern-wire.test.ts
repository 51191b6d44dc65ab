import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { connectModern } from '../helpers/modern-client.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const SERVER = [process.execPath, join(FIXTURES, 'servers', 'modern-server.mjs')];
// Nothing asks: what is checked here is what passes, and how.
const POLICY = 'version: v1\nrules: []\n';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} }, sampling: {} },
};

// What the 2026-07-28 revision adds to the wire, through the shim: results with resultType,
// ttlMs, cacheScope and requestState, requests embedded in input_required answers,
// server/discover, and a subscriptions/listen request that stays open for the session.
describe('the 2026-07-28 wire through the shim', () => {
  const engine = useEngine({ policy: POLICY, approve: ['wire-raw', 'wire-sampling', 'wire-listen'] });
  const logs = mkdtempSync(join(tmpdir(), 'mcpfw-modern-wire-'));
  afterAll(() => rmSync(logs, { recursive: true, force: true }));

  it('passes server/discover, listings, input_required and complete results byte for byte, wire fields and all', async () => {
    const log = join(logs, 'raw.log');
    const shim = rawShim(engine(), 'wire-raw', SERVER, { MODERN_LOG: log });
    const request = (id: number, method: string, params: Record<string, unknown> = {}) =>
      shim.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } }));
    const serverLine = (id: number) => readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('S> ') && (JSON.parse(l.slice(3)) as { id?: unknown }).id === id)?.slice(3);
    const clientLine = (id: number) => waitFor(() => shim.lines.find((l) => (JSON.parse(l) as { id?: unknown }).id === id), `the answer to ${id}`);
    try {
      request(1, 'server/discover');
      request(2, 'tools/list');
      request(3, 'tools/call', { name: 'deploy', arguments: { env: 'prod' } });
      request(4, 'tools/call', { name: 'deploy', arguments: { env: 'prod' }, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } }, requestState: 'deploy:prod' });
      request(5, 'prompts/list');
      request(6, 'resources/read', { uri: 'notes://7' });
      for (let id = 1; id <= 6; id++) expect(await clientLine(id), `answer ${id}`).toBe(serverLine(id));
      const [discover, list, asked, done] = await Promise.all([1, 2, 3, 4].map(async (id) => (JSON.parse(await clientLine(id)) as { result: Record<string, unknown> }).result));
      expect(discover).toMatchObject({ supportedVersions: ['2026-07-28'], resultType: 'complete', cacheScope: expect.any(String), ttlMs: expect.any(Number) });
      expect(list).toHaveProperty('resultType', 'complete');
      expect(asked).toMatchObject({ resultType: 'input_required', requestState: 'deploy:prod' });
      expect(JSON.stringify(done)).toContain('deployed to prod (state deploy:prod)');
    } finally {
      shim.child.kill();
    }
  });

  it("scans the requests an input_required answer embeds: a key in a sampling request's messages never reaches the client's model, an injection is fenced", async () => {
    const asked: string[] = [];
    const conn = await connectModern(engine(), 'wire-sampling', SERVER, { mode: 'pin', client: 'test-client', onSample: (params) => (asked.push(JSON.stringify(params)), 'A short summary.') });
    try {
      const result = await conn.client.callTool({ name: 'summarize_thread', arguments: { to: 'ops' } });
      expect(JSON.stringify(result.content)).toContain('summarized for ops');
    } finally {
      await conn.close();
    }
    expect(asked).toHaveLength(1);
    expect(asked[0]).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(asked[0]).toContain('[REDACTED:aws-access-key-id]');
    // The instruction aimed at the client's model is fenced as quoted text, as in any result.
    expect(asked[0]).toContain('[UNTRUSTED-INSTRUCTION: Ignore all previous instructions');
    const rows = await waitFor(() => {
      const found = JSON.parse(engine().cli(['audit', 'query', "SELECT decision, reason FROM mcp_audit WHERE event = 'result' AND server_name = 'wire-sampling' AND decision = 'REDACT'", '--json']).stdout) as Array<{ decision: string; reason: string }>;
      return found.length > 0 ? found : null;
    }, 'the REDACT row of the input_required answer');
    expect(rows[0]!.reason).toContain('aws-access-key-id');
  });

  it('keeps a subscriptions/listen request open past every wait of its own, and delivers the changes on it', async () => {
    const conn = await connectModern(engine(), 'wire-listen', SERVER, { mode: 'pin', client: 'test-client' });
    try {
      const subscription = await conn.client.listen({ toolsListChanged: true });
      let ended: string | undefined;
      void subscription.closed.then((how) => (ended = how));
      const listen = conn.received.find((m) => m.method === 'notifications/subscriptions/acknowledged') as { params: { _meta: Record<string, unknown> } };
      const subscriptionId = listen.params._meta['io.modelcontextprotocol/subscriptionId'];
      // Longer than the firewall's own waits (its looks, an answer the engine reviews: 10 s).
      await new Promise((r) => setTimeout(r, 11_000));
      expect(ended).toBeUndefined();
      await conn.client.callTool({ name: 'shift', arguments: {} });
      const changed = await waitFor(() => conn.received.find((m) => m.method === 'notifications/tools/list_changed') as { params: { _meta: Record<string, unknown> } } | undefined, 'list_changed on the stream');
      expect(changed.params._meta['io.modelcontextprotocol/subscriptionId']).toBe(subscriptionId);
      expect(ended).toBeUndefined();
      await subscription.close();
      expect(await subscription.closed).toBe('local');
    } finally {
      await conn.close();
    }
  }, 30_000);
});
