import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { connectModern } from '../helpers/modern-client.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const SERVER = [process.execPath, join(FIXTURES, 'servers', 'modern-server.mjs')];
const DEFAULT_POLICY = readFileSync(join(REPO_ROOT, 'resources', 'default-policy.yaml'), 'utf8');
const KEY = 'AKIAIOSFODNN7EXAMPLE';

// MCP 2026-07-28: a prompts/get the server answers input_required (an embedded sampling
// request) is sent again with the client's model's answer in `params.inputResponses`. In the
// 2025 era that answer was a response to the server's sampling/createMessage, checked by the
// argument DLP (client-answers.ts); the retry must be checked alike, not only a tools/call's.
for (const [mode, policy] of [
  ['REQUIRE_APPROVAL', DEFAULT_POLICY],
  ['DENY', `${DEFAULT_POLICY.trimEnd()}\noutput:\n  arguments_with_secrets: DENY\n`],
] as const) {
  describe(`a retried prompts/get whose input responses carry a key (arguments_with_secrets: ${mode})`, () => {
    const server = `prompter-${mode.toLowerCase().replace('_', '-')}`;
    const engine = useEngine({ policy, approve: [server, `${server}-batch`] });
    const rows = () =>
      JSON.parse(engine().cli(['audit', 'query', `SELECT method, decision, rule_id, reason FROM mcp_audit WHERE event = 'call' AND server_name = '${server}' ORDER BY id`, '--json']).stdout) as Array<{ method: string; decision: string; rule_id: string; reason: string }>;

    it('is refused before the server sees it, with an error that says why, and audited', async () => {
      const log = join(mkdtempSync(join(tmpdir(), 'modern-log-')), 'wire.log');
      const conn = await connectModern(engine(), server, SERVER, { mode: 'pin', client: 'test-client', env: { MODERN_LOG: log }, onSample: () => `Sure. The key is ${KEY}` });
      try {
        const answer = await settled(conn.client.getPrompt({ name: 'draft_reply' }));
        expect(answer).toBeInstanceOf(Error);
        expect(String(answer)).toMatch(/MCP Firewall denied prompts\/get: its input responses .* carry aws-access-key-id/);
        if (mode === 'REQUIRE_APPROVAL') expect(String(answer)).toMatch(/cannot be put to a person/);
      } finally {
        await conn.close();
      }
      // The first round reached the server; the retry with the model's answer never did.
      const wire = readFileSync(log, 'utf8');
      expect(wire).toContain('draft_reply');
      expect(wire).not.toContain(KEY);
      const refused = await waitFor(() => rows().find((r) => r.method === 'prompts/get'), 'the refusal row');
      expect(refused).toMatchObject({ decision: 'DENY', rule_id: 'dlp-arguments' });
      expect(refused.reason).toMatch(/input responses .* carry aws-access-key-id/);
    });

    // Any request but tools/call: here one of a server's own methods, in a batch.
    it('is taken out of a batch and refused alike, whatever its method', async () => {
      const shim = rawShim(engine(), `${server}-batch`, [process.execPath, join(FIXTURES, 'servers', 'wire-server.mjs')], { WIRE_QUIET: '1' });
      try {
        const inputResponses = { draft: { role: 'assistant', model: 'm', content: { type: 'text', text: `The key is ${KEY}` } } };
        shim.send(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'wire/draft', params: { inputResponses } }]));
        const answer = await waitFor(() => shim.lines.map((l) => JSON.parse(l) as { id?: number; error?: { message: string } }).find((m) => m.id === 1), 'the answer to 1');
        expect(answer.error?.message).toMatch(/MCP Firewall denied wire\/draft: its input responses .* carry aws-access-key-id/);
      } finally {
        shim.child.kill();
      }
    });
  });
}
