import { describe, expect, it } from 'vitest';
import { startBareInterposer, type BareInterposer, closedAfterEach } from '../../helpers/bare-interposer.js';
import type { BareRequest } from '../../helpers/bare-remote.js';
import { answerAfterSilence, openSession, RUNTIME_POLICY as POLICY } from './answer-wait-fixtures.js';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const TOOLS = ['long_report', 'quick_report'].map((name) => ({ name, description: 'Builds a report', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }));

/**
 * A server that runs every tools/call as a task (MCP 2025-11-25): the call is answered at once
 * with the task, named after the tool, and tasks/result sends its headers, then nothing while
 * the task runs (`runsMs`), then the tool's result, as the reference SDK's server does.
 */
function taskServer(runsMs: number) {
  return ({ res, message }: BareRequest) => {
    const params = message.params as { name?: string; taskId?: string };
    if (message.method === 'tools/call') {
      const now = new Date().toISOString();
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { task: { taskId: `task-${params.name}`, status: 'working', ttl: null, createdAt: now, lastUpdatedAt: now } } }));
    }
    if (message.method !== 'tasks/result') return void res.writeHead(400).end();
    answerAfterSilence(res, message.id, runsMs);
  };
}

/** Starts `tool` as a task, then asks for its result: what the client gets. */
async function runAsTask(endpoint: string, session: Record<string, string>, tool: string) {
  const post = (body: unknown) => fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify(body) }).then((r) => r.json());
  const created = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: tool, arguments: {}, task: { ttl: 60_000 } } });
  expect(created).toMatchObject({ id: 2, result: { task: { taskId: `task-${tool}` } } });
  return post({ jsonrpc: '2.0', id: 3, method: 'tasks/result', params: { taskId: `task-${tool}` } });
}

describe("tasks/result's silent answer behind the interposer", () => {
  const closing = closedAfterEach<BareInterposer>();

  it('is waited on as long as the max_runtime_sec of the call that created the task, not the default', async () => {
    const bare = closing(await startBareInterposer('mcpfw-task-wait-', taskServer(800), { interposer: { postStreamIdleMs: 200 }, policy: POLICY, tools: TOOLS }));
    const result = await runAsTask(bare.endpoint, await openSession(bare.endpoint, INITIALIZE), 'long_report');
    expect(result).toMatchObject({ id: 3, result: { content: [{ type: 'text', text: 'done' }] } });
    expect(bare.running.engine.db.prepare("SELECT COUNT(*) AS n FROM mcp_audit WHERE rule_id = 'answer-idle'").get()).toEqual({ n: 0 });
  });

  it('is cut off at the default when the call that created it runs under the default', async () => {
    const bare = closing(await startBareInterposer('mcpfw-task-wait-', taskServer(5_000), { interposer: { postStreamIdleMs: 200 }, policy: POLICY, tools: TOOLS }));
    const result = await runAsTask(bare.endpoint, await openSession(bare.endpoint, INITIALIZE), 'quick_report');
    expect(result).toMatchObject({ id: 3, error: { message: expect.stringContaining('sent no message on the stream answering this request for 200 ms') } });
  });
});
