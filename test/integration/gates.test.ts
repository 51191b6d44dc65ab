import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');

interface Gate {
  id: string;
  paging: boolean;
  value: number;
  owner: string;
}

describe("the seed's detection gates", () => {
  // No approval rule: a write goes through unapproved, which is exactly what gate 1 pages on.
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });
  const gates = () => JSON.parse(engine().cli(['gates', '--json']).stdout) as Gate[];
  const gate = (id: string) => gates().find((g) => g.id === id)!;

  it('starts with every gate within target', () => {
    const result = engine().cli(['gates']);
    expect(result.code).toBe(0);
    expect(gates().map((g) => g.id)).toEqual(['unapproved-write-calls', 'registry-drift', 'manifest-drift-outside-window', 'scope-mismatch-attempts', 'quarantine-ratio']);
    expect(gates().every((g) => !g.paging)).toBe(true);
  });

  it('pages on an unapproved write and on an unknown server, and audits the page', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 1 } }));
    } finally {
      await conn.close();
    }
    await settled(connectThroughShim(engine(), 'stranger', [process.execPath, FAULTY]));
    expect(gate('unapproved-write-calls')).toMatchObject({ paging: true, value: 1, owner: 'Governance On-call' });
    expect(gate('registry-drift')).toMatchObject({ paging: true, value: 1, owner: 'Platform Security' });
    expect(engine().cli(['gates']).code).toBe(3);
    await waitFor(() => engine().stderr().includes('PAGE Governance On-call: Unapproved write calls'), 'the page on stderr');
    const pages = JSON.parse(engine().cli(['audit', 'query', "SELECT rule_id FROM mcp_audit WHERE event = 'gate' AND decision = 'PAGE'", '--json']).stdout) as Array<{ rule_id: string }>;
    expect(pages.map((p) => p.rule_id)).toEqual(expect.arrayContaining(['unapproved-write-calls', 'registry-drift']));
    expect(((await engine().api('GET', '/gates')).body as Gate[]).filter((g) => g.paging)).toHaveLength(2);
  });
});

describe('the scope mismatch gate while protection is paused', () => {
  // A read-only CI client writing: the rule asks for approval, the pause lets it through.
  const engine = useEngine({
    policy: 'version: v1\nprincipals:\n  - match: { mcp.client: "ci-*" }\n    tags: [read_only]\nrules:\n  - id: approve-scope-mismatch\n    match:\n      auth:\n        require_scope_match: true\n    decision: REQUIRE_APPROVAL\n',
    approve: ['faulty'],
  });
  const gate = (id: string) => (JSON.parse(engine().cli(['gates', '--json']).stdout) as Gate[]).find((g) => g.id === id)!;

  it('counts the write it let through as a scope mismatch attempt', async () => {
    expect(engine().cli(['pause', '10']).code).toBe(0);
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'ci-bot' });
    try {
      await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 1 } }));
    } finally {
      await conn.close();
    }
    expect(gate('scope-mismatch-attempts')).toMatchObject({ paging: true, value: 1, owner: 'Identity Team' });
    expect(gate('unapproved-write-calls')).toMatchObject({ paging: true, value: 1 });
    expect(engine().cli(['audit', 'verify']).code).toBe(0);
  });
});
