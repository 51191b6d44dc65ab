import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor, type PendingApproval } from '../helpers/engine-harness.js';
import { connectModern } from '../helpers/modern-client.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const SERVER = [process.execPath, join(FIXTURES, 'servers', 'modern-server.mjs')];
// The shipped default policy (writes ask), with an approval nobody gives over in 3 s.
const POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(/approval_timeout_sec: \d+/, 'approval_timeout_sec: 3');
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
};
const confirmed = { action: 'accept' as const, content: { confirm: true } };

// MCP 2026-07-28 multi round-trip requests: a write the server answers input_required is sent
// again by the client, on a new id, with the user's answers. It is one action, approved once.
describe('approvals of calls that take a round of input_required (2026-07-28)', () => {
  const engine = useEngine({ policy: POLICY, approve: ['deployer', 'deployer-auto', 'drafter', 'deployer-note', 'deployer-raw', 'noter-shifted'] });
  const pending = (tool: string, server: string, seen: string[] = []) =>
    waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<PendingApproval & { reason: string }>).find((p) => p.tool === tool && p.server === server && !seen.includes(p.id)), `a pending ${tool} on ${server}`);
  const callRows = (server: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT tool_name, decision, approval_id, reason FROM mcp_audit WHERE event = 'call' AND server_name = '${server}' ORDER BY id`, '--json']).stdout) as Array<{ tool_name: string; decision: string; approval_id: string | null; reason: string }>;

  for (const mode of ['pin', 'auto'] as const) {
    it(`runs an approved deploy through its confirmation round under the one approval, the retry audited as continuing it (${mode})`, async () => {
      const server = mode === 'pin' ? 'deployer' : 'deployer-auto';
      const asked: string[] = [];
      const conn = await connectModern(engine(), server, SERVER, { mode, client: 'test-client', onElicit: (params) => (asked.push(String(params.message)), confirmed) });
      try {
        const call = settled(conn.client.callTool({ name: 'deploy', arguments: { env: 'prod' } }));
        const approval = await pending('deploy', server);
        expect(engine().cli(['approvals', 'allow', approval.id]).code).toBe(0);
        const result = await call;
        expect(result).not.toBeInstanceOf(Error);
        expect(JSON.stringify((result as { content: unknown }).content)).toContain('deployed to prod (state deploy:prod)');
        expect(asked).toEqual(['Deploy to prod?']);
        await waitFor(() => callRows(server).length === 2, 'the continued call row');
        expect(callRows(server)).toEqual([
          { tool_name: 'deploy', decision: 'ALLOW', approval_id: approval.id, reason: 'approved (once)' },
          { tool_name: 'deploy', decision: 'ALLOW', approval_id: approval.id, reason: `continued approval ${approval.id}: the retry of the call it approved, which the server answered input_required` },
        ]);
        // The first answer asked for input: its result row says so, not a bare PASS that reads as done.
        const resultRows = () => JSON.parse(engine().cli(['audit', 'query', `SELECT decision, reason FROM mcp_audit WHERE event = 'result' AND server_name = '${server}' ORDER BY id`, '--json']).stdout) as Array<{ decision: string; reason: string | null }>;
        await waitFor(() => resultRows().length === 2, 'both result rows');
        expect(resultRows()).toEqual([
          { decision: 'PASS', reason: 'input_required: the server asks the client for input before it finishes the call; the retry with the answers is a call of its own' },
          { decision: 'PASS', reason: null },
        ]);
        // One-shot: the same deploy later is a new action, asked about again.
        const again = settled(conn.client.callTool({ name: 'deploy', arguments: { env: 'prod' } }));
        const second = await pending('deploy', server, [approval.id]);
        expect(engine().cli(['approvals', 'deny', second.id]).code).toBe(0);
        expect(await again).toBeInstanceOf(Error);
      } finally {
        await conn.close();
      }
    });
  }

  it('asks again when the answers to the server carry a secret, and shows them to the approver', async () => {
    const conn = await connectModern(engine(), 'deployer-note', SERVER, {
      mode: 'pin', client: 'test-client', onElicit: () => ({ action: 'accept', content: { confirm: true, note: 'use key AKIAIOSFODNN7EXAMPLE' } }),
    });
    try {
      const call = settled(conn.client.callTool({ name: 'deploy', arguments: { env: 'prod' } }));
      const first = await pending('deploy', 'deployer-note');
      expect(engine().cli(['approvals', 'allow', first.id]).code).toBe(0);
      const retry = await pending('deploy', 'deployer-note', [first.id]);
      expect(retry.reason).toMatch(/input responses .* carry aws-access-key-id/);
      const shown = (await engine().api('GET', `/approvals/${retry.id}/arguments`)).body as { arguments: unknown };
      expect(JSON.stringify(shown)).toContain('AKIAIOSFODNN7EXAMPLE');
      expect(engine().cli(['approvals', 'deny', retry.id]).code).toBe(0);
      expect(String(await call)).toMatch(/denied/);
    } finally {
      await conn.close();
    }
    expect(callRows('deployer-note').map((r) => r.decision)).toEqual(['ALLOW', 'DENY']);
  });

  it("decides a secret in the client's model's answer to an embedded sampling request as one in a call's arguments", async () => {
    const conn = await connectModern(engine(), 'drafter', SERVER, { mode: 'pin', client: 'test-client', onSample: () => 'Sure. Here is the key: AKIAIOSFODNN7EXAMPLE' });
    try {
      // A read: it runs unasked, until its retry carries the model's answer with a key in it.
      const call = settled(conn.client.callTool({ name: 'summarize_thread', arguments: { to: 'ops' } }));
      const approval = await pending('summarize_thread', 'drafter');
      expect(approval.reason).toMatch(/input responses .* carry aws-access-key-id/);
      expect(engine().cli(['approvals', 'deny', approval.id]).code).toBe(0);
      expect(String(await call)).toMatch(/denied/);
    } finally {
      await conn.close();
    }
    // The read's own row is spooled by the shim, and reaches the table a moment later.
    const rows = await waitFor(() => (callRows('drafter').length === 2 ? callRows('drafter') : null), 'both rows of summarize_thread');
    expect(rows.map((r) => r.decision)).toEqual(['ALLOW', 'DENY']);
  });

  it('does not send an approved call whose tool was held while the person decided', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'modern-log-')), 'wire.log');
    const conn = await connectModern(engine(), 'noter-shifted', SERVER, { mode: 'pin', client: 'test-client', env: { MODERN_LOG: log } });
    const manifestRows = () =>
      JSON.parse(engine().cli(['audit', 'query', "SELECT decision FROM mcp_audit WHERE event = 'manifest' AND server_name = 'noter-shifted' AND tool_name = 'write_note'", '--json']).stdout) as unknown[];
    try {
      const subscription = await conn.client.listen({ toolsListChanged: true });
      const call = settled(conn.client.callTool({ name: 'write_note', arguments: { text: 'hi' } }));
      const approval = await pending('write_note', 'noter-shifted');
      // While it waits, the server changes write_note and says so; the firewall's look holds it.
      await conn.client.callTool({ name: 'read_shift', arguments: {} });
      await waitFor(() => manifestRows().length > 0, 'write_note to be held');
      expect(engine().cli(['approvals', 'allow', approval.id]).code).toBe(0);
      expect(String(await call)).toMatch(/write_note' is held: .*was not sent/);
      await subscription.close();
    } finally {
      await conn.close();
    }
    const sent = readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('C> ') && line.includes('"tools/call"'));
    expect(sent.some((line) => line.includes('"read_shift"'))).toBe(true);
    expect(sent.some((line) => line.includes('"write_note"'))).toBe(false);
    expect(callRows('noter-shifted').filter((r) => r.tool_name === 'write_note').map((r) => r.decision)).toEqual(['ALLOW', 'DENY']);
  });

  it('continues nothing for a retry that does not echo the state the server sent, nor twice', async () => {
    const shim = rawShim(engine(), 'deployer-raw', SERVER);
    const call = (id: number, extra: Record<string, unknown> = {}) =>
      shim.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'deploy', arguments: { env: 'prod' }, ...extra, _meta: ENVELOPE } }));
    const answer = (id: number) => waitFor(() => shim.lines.map((l) => JSON.parse(l) as { id?: number; result?: Record<string, unknown>; error?: unknown }).find((m) => m.id === id), `the answer to ${id}`);
    try {
      call(1);
      const approval = await pending('deploy', 'deployer-raw');
      expect(engine().cli(['approvals', 'allow', approval.id]).code).toBe(0);
      const first = await answer(1);
      // Passed on as the server wrote it, wire fields and all.
      expect(first.result).toMatchObject({ resultType: 'input_required', requestState: 'deploy:prod', inputRequests: { confirm: { method: 'elicitation/create' } } });
      call(2, { inputResponses: { confirm: confirmed }, requestState: 'deploy:staging' });
      const forged = await pending('deploy', 'deployer-raw', [approval.id]);
      expect(engine().cli(['approvals', 'deny', forged.id]).code).toBe(0);
      expect(await answer(2)).toHaveProperty('error');
      // The continuation went with the retry that did not match: the right state now asks too.
      call(3, { inputResponses: { confirm: confirmed }, requestState: 'deploy:prod' });
      const third = await pending('deploy', 'deployer-raw', [approval.id, forged.id]);
      expect(engine().cli(['approvals', 'deny', third.id]).code).toBe(0);
      expect(await answer(3)).toHaveProperty('error');
    } finally {
      shim.child.kill();
    }
  });
});
