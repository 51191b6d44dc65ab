import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { removeHome, settled, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { ASK_FOR_WRITES_RULE } from '../helpers/policies.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const POLICY = `version: v1
defaults:
  decision: ALLOW
  approval_timeout_sec: 60
rules:
${ASK_FOR_WRITES_RULE}`;

const kill9 = async (engine: RunningEngine) => {
  const exited = new Promise((r) => engine.process.once('exit', r));
  engine.process.kill('SIGKILL');
  await exited;
};
const rows = (engine: RunningEngine, where: string) =>
  JSON.parse(engine.cli(['audit', 'query', `SELECT event, decision, tool_name, reason FROM mcp_audit WHERE ${where} ORDER BY id`, '--json']).stdout) as Array<Record<string, string>>;

describe('an engine stopped or killed under running shims', () => {
  // A shim outlives its engine and spools on — protocol errors here, results of calls that were
  // running — until the next engine welcomes it back; the lines are counted against rows.
  it.each(['SIGKILL', 'SIGTERM'] as const)('keeps what a shim spooled while its engine was down or just back (%s)', async (signal) => {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY]);
    const stdin = (conn.transport as unknown as { _process: { stdin: NodeJS.WritableStream } })._process.stdin;
    let written = 0;
    const garbage = async (times: number) => {
      for (let i = 0; i < times; i += 1) {
        stdin.write('not json\n');
        written += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let again: RunningEngine | undefined;
    try {
      await conn.client.callTool({ name: 'read_text', arguments: { text: 'before' } });
      if (signal === 'SIGKILL') await kill9(engine);
      else await engine.stop();
      await garbage(5);
      again = await startEngine({ home: engine.home });
      const resumed = () => rows(again!, "event = 'registry' AND reason LIKE 'session resumed%'").length > 0;
      while (!resumed()) await garbage(1);
      await waitFor(() => rows(again!, "event = 'protocol'").length >= written, `${written} protocol rows`);
      expect(again.cli(['audit', 'verify']).code).toBe(0);
    } finally {
      await conn.close();
      await again?.stop();
      removeHome(engine.home);
    }
  });

  it('ends a call waiting for approval at once with a clear error when the engine is killed, and no approval stays pending', async () => {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY]);
    let again: RunningEngine | undefined;
    try {
      const call = settled(conn.client.callTool({ name: 'update_record', arguments: { text: 'x' } }));
      await waitFor(async () => ((await engine.api('GET', '/approvals')).body as unknown[]).length > 0, 'a pending approval');
      await kill9(engine);
      expect(String(await call)).toMatch(/denied update_record: approval could not be obtained: the MCP Firewall engine is not running/);
      again = await startEngine({ home: engine.home });
      expect((await again.api('GET', '/approvals')).body).toEqual([]);
      const statuses = JSON.parse(again.cli(['audit', 'query', 'SELECT status FROM approvals', '--json']).stdout) as Array<{ status: string }>;
      expect(statuses).toEqual([{ status: 'cancelled' }]);
      // The shim spooled its refusal; the restarted engine folds it into the chain.
      expect(rows(again, "tool_name = 'update_record' AND event = 'call'")).toEqual([
        expect.objectContaining({ decision: 'DENY', reason: 'approval could not be obtained: the MCP Firewall engine is not running' }),
      ]);
      expect(again.cli(['audit', 'verify']).code).toBe(0);
    } finally {
      await conn.close();
      await again?.stop();
      removeHome(engine.home);
    }
  });

  it('audits a call refused while the engine is away, in the spool the next engine folds', async () => {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY]);
    let again: RunningEngine | undefined;
    try {
      await conn.client.callTool({ name: 'read_text', arguments: { text: 'before' } });
      await kill9(engine);
      expect(String(await settled(conn.client.callTool({ name: 'update_record', arguments: { text: 'while away' } })))).toMatch(/denied update_record: the MCP Firewall engine is not running/);
      again = await startEngine({ home: engine.home });
      const refused = await waitFor(() => {
        const found = rows(again!, "tool_name = 'update_record' AND event = 'call'");
        return found.length > 0 ? found : null;
      }, 'the refused call to be folded from the spool');
      expect(refused).toEqual([expect.objectContaining({ decision: 'DENY', reason: expect.stringMatching(/^the MCP Firewall engine is not running; start it with `mcp-firewall serve`$/) })]);
      expect(again.cli(['audit', 'verify']).code).toBe(0);
    } finally {
      await conn.close();
      await again?.stop();
      removeHome(engine.home);
    }
  });
});
