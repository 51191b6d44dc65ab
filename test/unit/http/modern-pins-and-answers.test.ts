import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, interposeBefore, type BareInterposer } from '../../helpers/bare-interposer.js';
import { settled, waitFor } from '../../helpers/engine-harness.js';
import { ASK_FOR_WRITES_RULE } from '../../helpers/policies.js';
import { modernSeen, startModernHttp, type RemoteServer } from '../../helpers/remote-server.js';

// What the stdio shim's 2026-07-28 tests check (modern-session, modern-approvals,
// modern-retried-answers), through the HTTP interposer's relays of stateless clients instead:
// the instructions server/discover carries are pinned, and the client's answers to a server's
// input_required (`params.inputResponses` on the retry) meet the argument DLP.

const POLICY = `version: v1
defaults:
  decision: ALLOW
rules:
${ASK_FOR_WRITES_RULE}`;
const DENY_POLICY = `${POLICY.trimEnd()}\noutput:\n  arguments_with_secrets: DENY\n`;
/** A GitHub token of the real shape (its last six characters the CRC of the rest). */
const GITHUB_TOKEN = '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';

type Interposed = BareInterposer & { remote: RemoteServer };

async function interposed(policy: string): Promise<Interposed> {
  let started!: RemoteServer;
  const bare = await interposeBefore('mcpfw-modern-answers-', async () => {
    started = await startModernHttp();
    return { url: started.url, close: started.stop };
  }, 'http', { policy });
  return Object.assign(bare, { remote: started });
}

/**
 * The v2 SDK's client (pinned to 2026-07-28 unless `mode` is 'auto'); it accepts every form
 * the server asks it to fill, with `answer` in each text field (true in each yes/no one), and
 * its model answers a sampling request with `answer` in its text.
 */
async function connect(endpoint: string, name: string, answer: string = GITHUB_TOKEN, mode: 'pin' | 'auto' = 'pin'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: mode === 'pin' ? { pin: '2026-07-28' } : 'auto' }, capabilities: { elicitation: { form: {} }, sampling: {} } } as ConstructorParameters<typeof Client>[1]);
  client.setRequestHandler('elicitation/create', async (request) => {
    const fields = Object.entries((request.params as { requestedSchema?: { properties?: Record<string, { type?: string }> } }).requestedSchema?.properties ?? {});
    return { action: 'accept', content: Object.fromEntries(fields.map(([field, schema]) => [field, schema.type === 'boolean' ? true : answer])) };
  });
  client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', model: 'test-model', content: { type: 'text', text: `Sure. The token is ${answer}` } }));
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
  return client;
}

function rows(bare: BareInterposer, sql: string, ...args: string[]): Array<Record<string, unknown>> {
  return bare.running.engine.db.prepare(sql).all(...args) as Array<Record<string, unknown>>;
}

const callRows = (bare: BareInterposer, client: string) =>
  rows(bare, "SELECT method, tool_name, decision, rule_id, reason FROM mcp_audit WHERE event = 'call' AND client = ? ORDER BY id", client);
/** The client's two call rows (a round and its retry), once both are in the table. */
const bothCallRows = (bare: BareInterposer, client: string, what: string) =>
  waitFor(() => {
    const found = callRows(bare, client);
    return found.length === 2 ? found : null;
  }, what);

describe('a 2026-07-28 server whose instructions drift, through the interposer', () => {
  const closing = closedAfterEach<Interposed>();

  for (const mode of ['pin', 'auto'] as const) {
    it(`pins the instructions server/discover carries, and withholds them from the next discover once they drift (${mode})`, async () => {
      const bare = closing(await interposed(POLICY));
      const first = await connect(bare.endpoint, 'first-reader', GITHUB_TOKEN, mode);
      try {
        expect(first.getNegotiatedProtocolVersion()).toBe('2026-07-28');
        expect(first.getInstructions()).toBe('Notes server.');
      } finally {
        await first.close();
      }
      await fetch(`http://127.0.0.1:${bare.remote.port}/retell`, { method: 'POST' });
      // Another client (a relay of its own), and the first one again (its relay still live):
      // each discover answer now carries the changed instructions.
      for (const name of ['later-reader', 'first-reader']) {
        const later = await connect(bare.endpoint, name, GITHUB_TOKEN, mode);
        try {
          expect(later.getNegotiatedProtocolVersion()).toBe('2026-07-28');
          expect(later.getInstructions()).toBeUndefined();
        } finally {
          await later.close();
        }
      }
      // A client that takes only JSON gets the same answer, whole but for the instructions.
      const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'json-reader', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
      const raw = await fetch(bare.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 'probe', method: 'server/discover', params: { _meta: envelope } }),
      });
      const discovered = (await raw.json()) as { id: string; result: Record<string, unknown> };
      expect(discovered.id).toBe('probe');
      expect(discovered.result).toMatchObject({ capabilities: { tools: {} } });
      expect(discovered.result).not.toHaveProperty('instructions');
      const drifted = await waitFor(() => {
        const found = rows(bare, "SELECT client, reason FROM mcp_audit WHERE event = 'manifest' AND server_name = 'bare' AND tool_name = 'instructions' AND decision = 'DRIFT'");
        return found.length > 0 ? found : null;
      }, 'the instructions drift row');
      expect(drifted[0]).toMatchObject({ client: 'later-reader', reason: expect.stringContaining('changed since it was approved (manifest drift)') });
      const probes = (await modernSeen(bare.remote)).filter((s) => s.method === 'server/discover').map((s) => s.client);
      expect(probes).toEqual(expect.arrayContaining(['first-reader', 'later-reader', 'json-reader']));
    });
  }
});

describe("the client's answers to a 2026-07-28 server's input requests, through the interposer", () => {
  const closing = closedAfterEach<Interposed>();

  it('puts a tools/call retry whose input responses carry a token to a person, as a secret in its arguments', async () => {
    const bare = closing(await interposed(POLICY));
    const client = await connect(bare.endpoint, 'asked-reader');
    try {
      // A read: it runs unasked, until its retry carries the user's answer with a token in it.
      const call = settled(client.callTool({ name: 'read_repo', arguments: { repo: 'acme/infra' } }));
      const pending = await waitFor(() => bare.running.engine.approvals.list().find((p) => p.tool === 'read_repo'), 'the retry put to a person');
      expect(pending.reason).toMatch(/input responses .* carry github-token/);
      // The approver is shown the arguments and the answers together.
      expect(JSON.stringify(pending.arguments)).toContain('acme/infra');
      expect(JSON.stringify(pending.arguments)).toContain(GITHUB_TOKEN);
      expect(bare.running.engine.approvals.answer(pending.id, 'deny')).toBe(true);
      expect(String(await call)).toMatch(/denied/i);
    } finally {
      await client.close();
    }
    const calls = await bothCallRows(bare, 'asked-reader', 'both call rows of read_repo');
    // The first round's row is spooled by the relay and may reach the table after the retry's.
    expect(calls.map((c) => [c.tool_name, c.decision, c.rule_id]).sort()).toEqual([['read_repo', 'ALLOW', null], ['read_repo', 'DENY', 'dlp-arguments']]);
    expect((await modernSeen(bare.remote)).filter((s) => s.method === 'tools/call' && s.inputResponses)).toEqual([]);
  });

  it('denies such a tools/call retry outright under arguments_with_secrets: DENY, unsent', async () => {
    const bare = closing(await interposed(DENY_POLICY));
    const client = await connect(bare.endpoint, 'denied-reader');
    try {
      const answer = await settled(client.callTool({ name: 'read_repo', arguments: { repo: 'acme/infra' } }));
      expect(String(answer)).toMatch(/denied read_repo: its input responses .* carry github-token/);
    } finally {
      await client.close();
    }
    expect(bare.running.engine.approvals.list()).toEqual([]);
    const calls = await bothCallRows(bare, 'denied-reader', 'both call rows of read_repo');
    expect(calls.map((c) => [c.decision, c.rule_id])).toEqual([['ALLOW', null], ['DENY', 'dlp-arguments']]);
    expect(String(calls[1]!.reason)).toMatch(/input responses .* carry github-token/);
    expect((await modernSeen(bare.remote)).filter((s) => s.method === 'tools/call' && s.inputResponses)).toEqual([]);
  });

  it("asks afresh about the retry of an approved call when the client's answers carry a token, instead of continuing under the approval", async () => {
    const bare = closing(await interposed(POLICY));
    const client = await connect(bare.endpoint, 'deployer');
    try {
      const deployed = settled(client.callTool({ name: 'deploy', arguments: { env: 'prod' } }));
      const first = await waitFor(() => bare.running.engine.approvals.list().find((p) => p.tool === 'deploy'), 'the write put to a person');
      expect(bare.running.engine.approvals.answer(first.id, 'allow')).toBe(true);
      // The retry carries the user's confirmation and a note with a token in it: a finding the
      // person who allowed the call never saw, so it is asked about, not continued.
      const retry = await waitFor(() => bare.running.engine.approvals.list().find((p) => p.tool === 'deploy' && p.id !== first.id), 'the retry put to a person');
      expect(retry.reason).toMatch(/input responses .* carry github-token/);
      expect(bare.running.engine.approvals.answer(retry.id, 'deny')).toBe(true);
      expect(String(await deployed)).toMatch(/denied/i);
    } finally {
      await client.close();
    }
    const calls = await bothCallRows(bare, 'deployer', 'both call rows of deploy');
    expect(calls.map((c) => c.decision)).toEqual(['ALLOW', 'DENY']);
    for (const c of calls) expect(String(c.reason)).not.toContain('continued approval');
    expect((await modernSeen(bare.remote)).filter((s) => s.method === 'tools/call' && s.inputResponses)).toEqual([]);
  });

  for (const [mode, policy] of [['REQUIRE_APPROVAL', POLICY], ['DENY', DENY_POLICY]] as const) {
    it(`refuses a retried prompts/get or resources/read whose input responses carry a token (arguments_with_secrets: ${mode}), unsent`, async () => {
      const bare = closing(await interposed(policy));
      const name = `drafter-${mode.toLowerCase()}`;
      const client = await connect(bare.endpoint, name);
      try {
        const prompt = await settled(client.getPrompt({ name: 'draft_reply' }));
        expect(String(prompt)).toMatch(/MCP Firewall denied prompts\/get: its input responses .* carry github-token/);
        const read = await settled(client.readResource({ uri: 'notes://7' }));
        expect(String(read)).toMatch(/MCP Firewall denied resources\/read: its input responses .* carry github-token/);
        if (mode === 'REQUIRE_APPROVAL') expect(String(read)).toMatch(/cannot be put to a person/);
      } finally {
        await client.close();
      }
      const refused = await waitFor(() => {
        const found = callRows(bare, name);
        return found.length === 2 ? found : null;
      }, 'the two refusal rows');
      expect(refused.map((r) => [r.method, r.decision, r.rule_id])).toEqual([
        ['prompts/get', 'DENY', 'dlp-arguments'],
        ['resources/read', 'DENY', 'dlp-arguments'],
      ]);
      for (const r of refused) expect(String(r.reason)).toMatch(/input responses .* carry github-token/);
      // The first rounds reached the server; the retries with the token never did.
      const seen = (await modernSeen(bare.remote)).filter((s) => s.client === name && (s.method === 'prompts/get' || s.method === 'resources/read'));
      expect(seen.map((s) => [s.method, s.inputResponses])).toEqual([['prompts/get', false], ['resources/read', false]]);
    });
  }
});
