import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { denyAndExpectDenied, settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';
import { cliAsync } from '../helpers/cli-async.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const SEED_POLICY = readFileSync(join(FIXTURES, 'policies', 'seed-example.yaml'), 'utf8');
const UNAPPROVED_WRITES_SQL = readFileSync(join(REPO_ROOT, 'resources', 'queries', 'unapproved-writes.sql'), 'utf8');


describe("the seed's policy example, enforced", () => {
  const engine = useEngine({ policy: SEED_POLICY, approve: ['github', 'scratch'] });

  it('passes policy check unchanged', () => {
    const check = engine().cli(['policy', 'check', join(FIXTURES, 'policies', 'seed-example.yaml')]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('OK (3 rules');
  });

  it('denies every call to a server outside deny_servers_not_in', async () => {
    const conn = await connectThroughShim(engine(), 'scratch', [process.execPath, FAULTY]);
    try {
      await expect(conn.client.callTool({ name: 'read_text', arguments: { text: 'x' } })).rejects.toThrow(/not in the allowed server list \(rule deny-unregistered-server\)/);
    } finally {
      await conn.close();
    }
  });

  it('lets reads through on a listed server and asks for writes (max_retries 1 limits repeats)', async () => {
    const conn = await connectThroughShim(engine(), 'github', [process.execPath, FAULTY]);
    try {
      await conn.client.listTools();
      const read = await conn.client.callTool({ name: 'read_text', arguments: { text: 'issue list' } });
      expect(JSON.stringify(read.content)).toContain('issue list');
      // Identical read repeated: allowed reads carry no retry limit.
      await conn.client.callTool({ name: 'read_text', arguments: { text: 'issue list' } });
      await conn.client.callTool({ name: 'read_text', arguments: { text: 'issue list' } });
      const write = settled(conn.client.callTool({ name: 'create_issue', arguments: { title: 't' } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; reason: string }>)[0], 'a pending write');
      expect(pending.reason).toContain('require-approval-for-write');
      await engine().api('POST', `/approvals/${pending.id}/allow`, { scope: 'session' });
      // The fixture server has no create_issue tool: it answers with an error, which still proves dispatch.
      expect(String(await write)).toMatch(/unknown tool create_issue/);
      // Same call again within the session: covered by the session grant, max_retries 1 allows one repeat…
      expect(String(await settled(conn.client.callTool({ name: 'create_issue', arguments: { title: 't' } })))).toMatch(/unknown tool/);
      // …and the next identical repeat is refused.
      expect(String(await settled(conn.client.callTool({ name: 'create_issue', arguments: { title: 't' } })))).toMatch(/max_retries is 1/);
    } finally {
      await conn.close();
    }
  });
});

describe('policy reload, emergency switch and the audit trail', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });
  let conn: ShimConnection;
  const policyFile = () => join(engine().home, 'policy.yaml');
  beforeAll(async () => {
    conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    await conn.client.listTools();
  });
  afterAll(async () => {
    await conn.close();
  });

  it("finds a write executed without approval with the seed's query (SQLite form)", async () => {
    // No rules: writes are allowed without approval — exactly what the seed's gate looks for.
    await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 1 } }));
    const rows = JSON.parse(engine().cli(['audit', 'query', UNAPPROVED_WRITES_SQL, '--json']).stdout) as Array<Record<string, unknown>>;
    expect(rows).toEqual([expect.objectContaining({ tool_name: 'update_record', server_name: 'faulty', decision: 'ALLOW', approval_id: null })]);
  });

  it('reloads the policy when the file changes and keeps the last good one when it breaks', async () => {
    writeFileSync(policyFile(), 'version: v1\nrules:\n  - id: no-updates\n    match:\n      labels:\n        mcp.tool: "update_*"\n    decision: DENY\n');
    await waitFor(async () => (String(await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 2 } })))).includes('no-updates'), 'the new rule to apply');
    writeFileSync(policyFile(), 'version: v1\nrules:\n  - id: broken\n    decison: ALLOW\n');
    await waitFor(async () => ((await engine().api('GET', '/policy')).body as { errors: unknown[] }).errors.length > 0, 'the broken edit to be noticed');
    expect(String(await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 3 } })))).toContain('no-updates');
    const rejected = JSON.parse(engine().cli(['audit', 'query', "SELECT decision FROM mcp_audit WHERE event = 'policy'", '--json']).stdout) as Array<{ decision: string }>;
    expect(rejected.map((r) => r.decision)).toEqual(expect.arrayContaining(['RELOADED', 'REJECTED']));
    writeFileSync(policyFile(), 'version: v1\nrules: []\n');
    await waitFor(async () => ((await engine().api('GET', '/policy')).body as { errors: unknown[] }).errors.length === 0, 'the fixed policy');
  });

  it('forces approval for every non-read action while emergency write approval is on', async () => {
    expect((await engine().api('POST', '/policy/emergency-write-approval')).status).toBe(200);
    // Reads are unaffected.
    await conn.client.callTool({ name: 'read_text', arguments: { text: 'still reads' } });
    const write = settled(conn.client.callTool({ name: 'update_record', arguments: { id: 4 } }));
    const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; ruleId: string }>)[0], 'emergency approval');
    expect(pending.ruleId).toBe('emergency-write-approval');
    await denyAndExpectDenied(engine(), pending.id, write);
    expect(engine().cli(['policy', 'emergency', 'off']).code).toBe(0);
    await waitFor(async () => !String(await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 5 } }))).includes('MCP Firewall'), 'emergency off');
  });

  it('stops a running server at once when it is disabled (containment)', async () => {
    const other = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    expect(engine().cli(['registry', 'disable', 'faulty']).code).toBe(0);
    await waitFor(async () => String(await settled(other.client.callTool({ name: 'read_text', arguments: { text: 'x' } }))).includes('disabled'), 'the session to be stopped');
    await other.close().catch(() => {});
    const refused = settled(connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]));
    expect(String(await refused)).toMatch(/disabled in the registry.*registry enable faulty/s);
    engine().cli(['registry', 'enable', 'faulty']);
  });

  it('stops an audit query that runs away after --timeout, saying so', async () => {
    // Not spawnSync: before, this query never ended, and a blocked worker would hang the suite.
    const endless = cliAsync(engine().env, ['audit', 'query', '--timeout', '1', 'WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM x) SELECT count(*) FROM x']);
    const code = await Promise.race([endless.exited, new Promise((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000))]);
    expect(code).toBe(1);
    expect(endless.output()).toBe('audit query failed: the query ran longer than 1 s and was stopped\n');
    expect(engine().cli(['audit', 'query', '--timeout', '0', 'SELECT 1'])).toMatchObject({ code: 2, stderr: expect.stringContaining("--timeout must be a number of seconds from 1 to 86400, not '0'") });
    expect(JSON.parse(engine().cli(['audit', 'query', '--json', 'SELECT 1 AS one']).stdout)).toEqual([{ one: 1 }]);
  });

  it('detects an edited and a deleted audit row', async () => {
    expect(engine().cli(['audit', 'verify']).code).toBe(0);
    await engine().stop();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(join(engine().home, 'firewall.db'));
    db.prepare("UPDATE mcp_audit SET decision = 'DENY' WHERE id = (SELECT MIN(id) FROM mcp_audit WHERE event = 'call')").run();
    db.close();
    const edited = engine().cli(['audit', 'verify']);
    expect(edited.code).toBe(2);
    expect(edited.stdout).toMatch(/contents do not match its hash/);
    const db2 = new DatabaseSync(join(engine().home, 'firewall.db'));
    db2.prepare('DELETE FROM mcp_audit WHERE id = (SELECT MAX(id) FROM mcp_audit)').run();
    db2.close();
    expect(engine().cli(['audit', 'verify']).stdout).toMatch(/deleted from the end/);
  });
});

describe('a policy reloaded while a write waits for a person', () => {
  const ASK = 'version: v1\nrules:\n  - id: ask-for-updates\n    match:\n      labels:\n        mcp.tool: "update_*"\n    decision: REQUIRE_APPROVAL\n';
  const engine = useEngine({ policy: ASK, approve: ['faulty'] });

  it('does not send the approved call when the new policy denies it outright (end to end through the shim)', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      await conn.client.listTools();
      const write = settled(conn.client.callTool({ name: 'update_record', arguments: { id: 1 } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string }>)[0], 'the pending write');
      const deny = (id: string, tool: string) => `  - id: ${id}\n    match:\n      labels:\n        mcp.tool: "${tool}"\n    decision: DENY\n`;
      writeFileSync(join(engine().home, 'policy.yaml'), `${ASK}${deny('no-updates', 'update_*')}${deny('no-probe', 'read_text')}`);
      // The shim has the new policy once a read it now denies is refused (a read: the old policy lets it run at once).
      let probe = 0;
      await waitFor(async () => String(await settled(conn.client.callTool({ name: 'read_text', arguments: { text: `probe ${probe++}` } }))).includes('no-probe'), 'the new rules to reach the shim');
      await engine().api('POST', `/approvals/${pending.id}/allow`);
      expect(String(await write)).toMatch(/approved \(once\), but the policy now denies it: rule 'no-updates'/);
    } finally {
      await conn.close();
    }
    const rows = JSON.parse(engine().cli(['audit', 'query', "SELECT decision, rule_id FROM mcp_audit WHERE event = 'call' AND request_id = (SELECT request_id FROM mcp_audit WHERE approval_id IS NOT NULL LIMIT 1) ORDER BY id", '--json']).stdout) as Array<{ decision: string; rule_id: string }>;
    expect(rows).toEqual([{ decision: 'DENY', rule_id: 'no-updates' }]);
  });
});
