import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const WEB = join(FIXTURES, 'servers', 'web-reader-server.mjs');
const POLICY = `version: v1
principals:
  - match: { mcp.client: "ci-*" }
    tags: [read_only]
guards:
  max_identical_calls: 3
  max_calls_per_minute: 12
  on_exceed: DENY
rules:
  - id: deny-scope-mismatch
    match:
      auth:
        require_scope_match: true
    decision: DENY
`;


describe('taint, loop, fan-out and scope guards through the real shim', () => {
  const engine = useEngine({ policy: POLICY, approve: ['web'] });
  const auditRules = () =>
    JSON.parse(engine().cli(['audit', 'query', "SELECT decision, rule_id, tool_name FROM mcp_audit WHERE event = 'call' AND (rule_id LIKE 'guard-%' OR rule_id LIKE 'taint-%' OR rule_id = 'deny-scope-mismatch') ORDER BY id", '--json']).stdout) as Array<{ decision: string; rule_id: string; tool_name: string }>;

  it('holds a write that carries text from an untrusted read, and lets the same write without it pass', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    try {
      await conn.client.listTools();
      const page = await conn.client.callTool({ name: 'fetch_page', arguments: { url: 'https://docs.example' } });
      const text = (page.content as Array<{ text: string }>)[0]!.text;
      const clean = await conn.client.callTool({ name: 'save_note', arguments: { text: 'meeting at 10' } });
      expect(JSON.stringify(clean.content)).toContain('save_note done');
      const tainted = settled(conn.client.callTool({ name: 'save_note', arguments: { text: `Note: ${text}` } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; ruleId: string; reason: string }>)[0], 'the tainted write to wait');
      expect(pending.ruleId).toBe('taint-untrusted-text');
      expect(pending.reason).toContain("untrusted tool 'fetch_page'");
      await denyAndExpectDenied(engine(), pending.id, tainted);
    } finally {
      await conn.close();
    }
  });

  it('stops a loop of identical calls and audits it', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB]);
    try {
      for (let i = 0; i < 3; i++) await conn.client.callTool({ name: 'read_time', arguments: {} });
      expect(String(await settled(conn.client.callTool({ name: 'read_time', arguments: {} })))).toMatch(/a loop \(rule guard-loop\)/);
    } finally {
      await conn.close();
    }
    expect(auditRules()).toContainEqual({ decision: 'DENY', rule_id: 'guard-loop', tool_name: 'read_time' });
  });

  it('stops a burst beyond the fan-out limit and audits it', async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB]);
    try {
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => settled(conn.client.callTool({ name: 'fetch_page', arguments: { url: `https://x/${i}` } }))));
      expect(results.filter((r) => r instanceof Error && /guard-fan-out/.test(r.message))).toHaveLength(4);
    } finally {
      await conn.close();
    }
    expect(auditRules().filter((r) => r.rule_id === 'guard-fan-out')).toHaveLength(4);
  });

  it("denies a read-only principal's write as a scope mismatch, and lets its reads through", async () => {
    const conn = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'ci-nightly' });
    try {
      await conn.client.callTool({ name: 'read_time', arguments: {} });
      expect(String(await settled(conn.client.callTool({ name: 'save_note', arguments: { text: 'x' } })))).toMatch(/scope mismatch/);
    } finally {
      await conn.close();
    }
    expect(auditRules()).toContainEqual({ decision: 'DENY', rule_id: 'deny-scope-mismatch', tool_name: 'save_note' });
  });
});

// The model reads a page through one server and writes through another: the client's shims
// share what they read from untrusted tools (through the engine), so the write is held.
describe('taint across the servers of one client', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['web', 'notes'] });

  it('holds a write to one server that carries text an untrusted tool of another returned, for the same client process only', async () => {
    const web = await connectThroughShim(engine(), 'web', [process.execPath, WEB], { client: 'claude-code' });
    const notes = await connectThroughShim(engine(), 'notes', [process.execPath, WEB], { client: 'claude-code' });
    // Launched by another process (a shell that does not exec): another client's context.
    const other = await connectThroughShim(engine(), 'notes', [process.execPath, WEB], { client: 'claude-code', launcher: ['/bin/sh', '-c', '"$0" "$@"; exit $?'] });
    try {
      await Promise.all([web.client.listTools(), notes.client.listTools(), other.client.listTools()]);
      const page = await web.client.callTool({ name: 'fetch_page', arguments: { url: 'https://docs.example' } });
      const text = (page.content as Array<{ text: string }>)[0]!.text;
      // The fingerprints went to the engine before the page reached us; a listing the engine
      // reviews for each shim is answered after the engine passed them on, on the same socket.
      await Promise.all([notes.client.listTools(), other.client.listTools()]);
      const tainted = settled(notes.client.callTool({ name: 'save_note', arguments: { text: `Note: ${text}` } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; ruleId: string; reason: string; server: string }>)[0], 'the tainted write to wait');
      expect(pending).toMatchObject({ server: 'notes', ruleId: 'taint-untrusted-text' });
      expect(pending.reason).toContain("untrusted tool 'web/fetch_page'");
      await denyAndExpectDenied(engine(), pending.id, tainted);
      const elsewhere = await other.client.callTool({ name: 'save_note', arguments: { text: `Note: ${text}` } });
      expect(JSON.stringify(elsewhere.content)).toContain('save_note done');
    } finally {
      await Promise.all([web.close(), notes.close(), other.close()]);
    }
  });
});
