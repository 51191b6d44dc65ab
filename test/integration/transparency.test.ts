import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { EVERYTHING_SERVER } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { ASK_FOR_WRITES_RULE } from '../helpers/policies.js';

// server-everything's demo tools are named trigger-*/toggle-*, which our name heuristics
// class as writes; classifying them in policy is exactly what a user would do.
const POLICY = `version: v1
action_classes:
  - match: { mcp.server: everything, mcp.tool: ["trigger-*", "toggle-*"] }
    class: read
rules:
${ASK_FOR_WRITES_RULE}`;

describe('the shim is transparent to what it does not police (server-everything)', () => {
  const engine = useEngine({ policy: POLICY, approve: ['everything'] });
  let conn: ShimConnection;
  const logs: unknown[] = [];
  beforeAll(async () => {
    conn = await connectThroughShim(engine(), 'everything', [EVERYTHING_SERVER], {
      capabilities: { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
    });
    conn.client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled through the firewall' },
    }));
    conn.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
    conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
  });
  afterAll(async () => {
    await conn.close();
  });

  it('passes progress notifications of a long-running call', async () => {
    const progress: number[] = [];
    const result = await conn.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.8, steps: 4 } },
      undefined,
      { onprogress: (p) => void progress.push(p.progress) },
    );
    // server-everything does not await its last progress notification, so even direct
    // (no firewall) it often lands after the result and the SDK drops it.
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
    expect(JSON.stringify(result.content)).toContain('Long running operation completed');
  });

  it('passes logging notifications', async () => {
    await conn.client.setLoggingLevel('debug');
    await conn.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await waitFor(() => logs.length > 0, 'a log message');
    expect(logs[0]).toMatchObject({ level: expect.any(String) });
  });

  it('relays a sampling request from the server to the client and back', async () => {
    const result = await conn.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 10 } });
    expect(JSON.stringify(result.content)).toContain('sampled through the firewall');
  });

  it('relays an elicitation request from the server to the client and back', async () => {
    const result = await conn.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(JSON.stringify(result.content)).toContain('Ada');
  });

  it('passes resources and prompts untouched', async () => {
    const resources = await conn.client.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    const first = resources.resources[0]!;
    const read = await conn.client.readResource({ uri: first.uri });
    expect(read.contents[0]!.uri).toBe(first.uri);
    const prompts = await conn.client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toContain('simple-prompt');
    const prompt = await conn.client.getPrompt({ name: 'simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
    await conn.client.ping();
  });

  it('passes cancellation upstream and keeps working afterwards', async () => {
    const controller = new AbortController();
    const call = conn.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 10, steps: 10 } }, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('user pressed stop'), 300);
    await expect(call).rejects.toThrow();
    const echo = await conn.client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    expect(JSON.stringify(echo.content)).toContain('still here');
  });

  it('relays a multi-megabyte message both ways intact', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024) + 'END';
    const result = await conn.client.callTool({ name: 'echo', arguments: { message: big } });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text.length).toBeGreaterThan(big.length);
    expect(text.endsWith('END')).toBe(true);
  });
});
