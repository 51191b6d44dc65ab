import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEngine, waitFor, type PendingApproval } from '../helpers/engine-harness.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const WIRE = [process.execPath, join(FIXTURES, 'servers', 'wire-server.mjs')];
// The shipped default policy (writes ask); one secret in a result is quarantined.
const POLICY = `${readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(/approval_timeout_sec: \d+/, 'approval_timeout_sec: 5').trimEnd()}\noutput:\n  quarantine_secret_count: 1\n`;
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
};
const confirmed = { confirm: { action: 'accept', content: { confirm: true } } };
type Line = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

// A continuation lets the retry of an approved call run under its approval. Only an
// input_required answer the client actually got, in a 2026-07-28 session, leaves one.
describe('when an approved call leaves no continuation', () => {
  const engine = useEngine({ policy: POLICY, approve: ['rounds-quarantined', 'rounds-legacy'] });
  const pending = (server: string, seen: string[] = []) =>
    waitFor(async () => ((await engine().api('GET', '/approvals')).body as PendingApproval[]).find((p) => p.tool === 'write_in_rounds' && p.server === server && !seen.includes(p.id)), `a pending write_in_rounds on ${server}`);

  const session = (server: string, legacy: boolean) => {
    const shim = rawShim(engine(), server, WIRE, { WIRE_QUIET: '1' });
    const meta = legacy ? {} : { _meta: ENVELOPE };
    const answer = (id: number) => waitFor(() => shim.lines.map((l) => JSON.parse(l) as Line).find((m) => m.id === id), `the answer to ${id}`);
    const call = (id: number, args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      shim.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'write_in_rounds', arguments: args, ...extra, ...meta } }));
    return { shim, answer, call };
  };

  it('none when the input_required answer was quarantined: the client never saw it, its retry asks', async () => {
    const { shim, answer, call } = session('rounds-quarantined', false);
    try {
      call(1, { leak: true });
      const approval = await pending('rounds-quarantined');
      expect(engine().cli(['approvals', 'allow', approval.id]).code).toBe(0);
      expect((await answer(1)).error?.message).toMatch(/quarantined/);
      call(2, { leak: true }, { inputResponses: confirmed, requestState: 'round-1' });
      const retry = await pending('rounds-quarantined', [approval.id]);
      expect(engine().cli(['approvals', 'deny', retry.id]).code).toBe(0);
      expect(await answer(2)).toHaveProperty('error');
    } finally {
      shim.child.kill();
    }
  });

  it('none in a 2025 session (initialize seen), where resultType means nothing', async () => {
    const { shim, answer, call } = session('rounds-legacy', true);
    try {
      shim.send(JSON.stringify({ jsonrpc: '2.0', id: 100, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-client', version: '1' } } }));
      await answer(100);
      shim.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      call(1, {});
      const approval = await pending('rounds-legacy');
      expect(engine().cli(['approvals', 'allow', approval.id]).code).toBe(0);
      expect((await answer(1)).result).toMatchObject({ resultType: 'input_required' });
      call(2, {}, { inputResponses: confirmed, requestState: 'round-1' });
      const retry = await pending('rounds-legacy', [approval.id]);
      expect(engine().cli(['approvals', 'deny', retry.id]).code).toBe(0);
      expect(await answer(2)).toHaveProperty('error');
    } finally {
      shim.child.kill();
    }
  });
});
