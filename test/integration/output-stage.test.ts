import { ElicitRequestSchema, LoggingMessageNotificationSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { settled, useEngine, waitFor } from '../helpers/engine-harness.js';
import { EVERYTHING_SERVER, FIXTURES } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const POLICY = `version: v1
action_classes:
  - match: { mcp.tool: ["get-env", "echo", "get-tiny-image", "read_*", "save_*"] }
    class: read
rules: []
`;
const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');



/** Calls read_key until the shim answers with the released result instead of a refusal (the release reaches it a moment later). */
const releasedOnRetry = (conn: ShimConnection) =>
  waitFor(async () => {
    const r = await settled(conn.client.callTool({ name: 'read_key', arguments: {} }));
    return r instanceof Error ? null : r;
  }, 'the released result');

describe('the output stage through the real shim', () => {
  const engine = useEngine({ policy: POLICY, approve: ['everything', 'faulty'] });
  const resultRows = (tool: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT decision, reason FROM mcp_audit WHERE event = 'result' AND tool_name = '${tool}' ORDER BY id`, '--json']).stdout) as Array<{ decision: string; reason: string | null }>;

  it("redacts secrets in server-everything's get-env and keeps the JSON valid", async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, GITHUB_TOKEN, DATABASE_URL: 'postgres://app:Sup3rS3cretPw@db.internal:5432/app' } }, 'everything', [EVERYTHING_SERVER]);
    try {
      const result = await conn.client.callTool({ name: 'get-env', arguments: {} });
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).not.toContain('Sup3rS3cretPw');
      expect(text).toContain('[REDACTED:github-token]');
      const env = JSON.parse(text) as Record<string, string>;
      expect(env.MCP_FIREWALL_HOME).toBe(engine().home);
    } finally {
      await conn.close();
    }
    const rows = resultRows('get-env');
    expect(rows[0]!.decision).toBe('REDACT');
    expect(rows[0]!.reason).toContain('github-token');
    expect(rows[0]!.reason).not.toContain(GITHUB_TOKEN);
  });

  it('passes clean results byte-identical: base64 images, UUIDs and git SHAs', async () => {
    const conn = await connectThroughShim(engine(), 'everything', [EVERYTHING_SERVER]);
    try {
      const image = await conn.client.callTool({ name: 'get-tiny-image', arguments: {} });
      expect((image.content as Array<{ type: string }>).some((c) => c.type === 'image')).toBe(true);
      const ids = 'request 3f2b9c1e-8d4a-4e6b-9a7c-2d1e0f9b8a7c at commit 9fceb02d0ae598e95dc970b74767f19372d61af8';
      const echo = await conn.client.callTool({ name: 'echo', arguments: { message: ids } });
      expect((echo.content as Array<{ text: string }>)[0]!.text).toBe(`Echo: ${ids}`);
    } finally {
      await conn.close();
    }
    expect(resultRows('get-tiny-image').map((r) => r.decision)).toEqual(['PASS']);
    expect(resultRows('echo').map((r) => r.decision)).toEqual(['PASS']);
  });

  it('judges large answers read without a full parse: clean ones byte-identical, a secret redacted, an error audited as one', async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    const clean = `${'a listing line with nothing to find\n'.repeat(200)}end`;
    try {
      await conn.client.listTools();
      const passed = await conn.client.callTool({ name: 'read_text', arguments: { text: clean } });
      expect((passed.content as Array<{ text: string }>)[0]!.text).toBe(clean);
      const leaked = await conn.client.callTool({ name: 'read_log', arguments: {} });
      const leakedText = (leaked.content as Array<{ text: string }>)[0]!.text;
      expect(leakedText).not.toContain(GITHUB_TOKEN);
      expect(leakedText).toContain('[REDACTED:github-token]');
      const failing = await conn.client.callTool({ name: 'read_failing', arguments: {} });
      expect(failing.isError).toBe(true);
    } finally {
      await conn.close();
    }
    expect(resultRows('read_text').map((r) => r.decision)).toEqual(['PASS']);
    expect(resultRows('read_log').map((r) => r.decision)).toEqual(['REDACT']);
    expect(resultRows('read_failing').map((r) => r.decision)).toEqual(['ERROR']);
  });

  it('quarantines a private key, lists it, and delivers it on the retry after release', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      await conn.client.listTools();
      const first = await settled(conn.client.callTool({ name: 'read_key', arguments: {} }));
      const id = /quarantined the result of read_key as (qtn_[\w-]+)/.exec(String(first))?.[1];
      expect(id).toBeDefined();
      const listed = JSON.parse(engine().cli(['quarantine', 'list', '--json']).stdout) as Array<{ id: string; status: string; findings: Array<{ type: string }> }>;
      expect(listed).toEqual([expect.objectContaining({ id, status: 'held' })]);
      const shown = engine().cli(['quarantine', 'show', id!]);
      expect(shown.stdout).toContain('REDACTED');
      expect(shown.stdout).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
      expect(engine().cli(['quarantine', 'release', id!]).code).toBe(0);
      expect(JSON.stringify((await releasedOnRetry(conn)).content)).toContain('BEGIN OPENSSH PRIVATE KEY');
      const after = JSON.parse(engine().cli(['quarantine', 'list', '--json']).stdout) as Array<{ status: string }>;
      expect(after[0]!.status).toBe('delivered');
    } finally {
      await conn.close();
    }
    expect(resultRows('read_key').map((r) => r.decision)).toEqual(expect.arrayContaining(['QUARANTINE', 'RELEASED']));
  });

  /** read_key through `holder` is quarantined, released and delivered on its retry; `other` listed the tools meanwhile. The id. */
  async function heldReleasedAndDelivered(holder: ShimConnection, other: ShimConnection): Promise<string> {
    await Promise.all([holder.client.listTools(), other.client.listTools()]);
    const held = await settled(holder.client.callTool({ name: 'read_key', arguments: {} }));
    const id = /quarantined the result of read_key as (qtn_[\w-]+)/.exec(String(held))?.[1];
    expect(engine().cli(['quarantine', 'release', id!]).code).toBe(0);
    expect(JSON.stringify((await releasedOnRetry(holder)).content)).toContain('BEGIN OPENSSH PRIVATE KEY');
    return id!;
  }

  it("delivers a released result to the client whose call it withheld, not to another client's same call", async () => {
    const mine = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'claude-code' });
    const theirs = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'cursor' });
    try {
      const id = await heldReleasedAndDelivered(mine, theirs);
      // The other client's same call reaches the server and is held in its own right.
      const other = await settled(theirs.client.callTool({ name: 'read_key', arguments: {} }));
      expect(String(other)).toMatch(/quarantined the result of read_key as qtn_/);
      expect(String(other)).not.toContain(id!);
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
    }
  });

  it('delivers a released result once: a second session of the same client does not get it again', async () => {
    const first = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'claude-code' });
    const second = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY], { client: 'claude-code' });
    try {
      await heldReleasedAndDelivered(first, second);
      // The engine told the second session as the first delivered it; a listing it reviews
      // for the second session is answered after that, on the same socket.
      await second.client.listTools();
      const again = await settled(second.client.callTool({ name: 'read_key', arguments: {} }));
      expect(String(again)).toMatch(/quarantined the result of read_key as qtn_/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('delivers a released resource on the next read of it, without asking the server again', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const first = await settled(conn.client.readResource({ uri: 'key://deploy' }));
      const id = /quarantined the result of key:\/\/deploy as (qtn_[\w-]+).*send the same request again/.exec(String(first))?.[1];
      expect(id).toBeDefined();
      expect(engine().cli(['quarantine', 'release', id!]).code).toBe(0);
      const again = await waitFor(async () => {
        const r = await settled(conn.client.readResource({ uri: 'key://deploy' }));
        return r instanceof Error ? null : r;
      }, 'the released resource');
      expect(JSON.stringify(again.contents)).toContain('BEGIN OPENSSH PRIVATE KEY');
      const after = JSON.parse(engine().cli(['quarantine', 'list', '--json']).stdout) as Array<{ id: string; status: string }>;
      expect(after.find((q) => q.id === id)!.status).toBe('delivered');
      // Delivered once: the next read asks the server, and is held again.
      expect(String(await settled(conn.client.readResource({ uri: 'key://deploy' })))).toMatch(/quarantined the result of key:\/\/deploy/);
    } finally {
      await conn.close();
    }
    expect(resultRows('key://deploy').map((r) => r.decision)).toEqual(expect.arrayContaining(['QUARANTINE', 'RELEASED']));
  });

  it('asks before a secret leaves through call arguments (DLP)', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const call = settled(conn.client.callTool({ name: 'read_text', arguments: { text: `token=${GITHUB_TOKEN}` } }));
      const pending = await waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; ruleId: string; reason: string }>)[0], 'the DLP approval');
      expect(pending).toMatchObject({ ruleId: 'dlp-arguments', reason: expect.stringContaining('github-token') });
      await engine().api('POST', `/approvals/${pending.id}/deny`);
      expect(String(await call)).toMatch(/denied/);
    } finally {
      await conn.close();
    }
  });

  it('redacts secrets in resource contents and prompt messages too, not only in tool results', async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    try {
      const resource = await conn.client.readResource({ uri: 'file:///etc/app.conf' });
      expect(JSON.stringify(resource.contents)).not.toContain(GITHUB_TOKEN);
      expect(JSON.stringify(resource.contents)).toContain('[REDACTED:github-token]');
      const prompt = await conn.client.getPrompt({ name: 'deploy' });
      expect(JSON.stringify(prompt.messages)).not.toContain(GITHUB_TOKEN);
      expect(JSON.stringify(prompt.messages)).toContain('[REDACTED:github-token]');
    } finally {
      await conn.close();
    }
    expect(resultRows('file:///etc/app.conf').map((r) => r.decision)).toEqual(['REDACT']);
    expect(resultRows('prompt:deploy').map((r) => r.decision)).toEqual(['REDACT']);
  });

  it('redacts a text file read as a base64 blob, which stays valid base64 of the redacted text', async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    try {
      const { contents } = await conn.client.readResource({ uri: 'file:///srv/shop/.env' });
      const { blob } = contents[0] as { blob: string };
      expect(Buffer.from(blob, 'base64').toString('utf8')).toBe('APP=shop\nGITHUB_TOKEN=[REDACTED:github-token]\n');
    } finally {
      await conn.close();
    }
    expect(resultRows('file:///srv/shop/.env').map((r) => r.decision)).toEqual(['REDACT']);
  });

  it('redacts a task\'s result (a tool run as a task answers in tasks/result, not in its tools/call)', async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    try {
      const result = await conn.client.request({ method: 'tasks/result', params: { taskId: 't-42' } }, z.object({}).passthrough());
      expect(JSON.stringify(result)).toContain('task t-42 done: [REDACTED:github-token]');
      expect(JSON.stringify(result)).not.toContain(GITHUB_TOKEN);
    } finally {
      await conn.close();
    }
    expect(resultRows('task:t-42').map((r) => r.decision)).toEqual(['REDACT']);
  });

  it("redacts answers read beyond results: a cancelled task's status, completion values, resource descriptions — each under its own id", async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    try {
      const cancelled = await conn.client.request({ method: 'tasks/cancel', params: { taskId: 't-9' } }, z.object({}).passthrough());
      expect(cancelled).toMatchObject({ taskId: 't-9', status: 'cancelled', statusMessage: 'cancelled while pushing with [REDACTED:github-token]' });
      const completion = await conn.client.complete({ ref: { type: 'ref/prompt', name: 'deploy' }, argument: { name: 'env', value: 'de' } });
      expect(completion.completion.values).toEqual(['deploy-[REDACTED:github-token]', 'staging']);
      const listed = await conn.client.listResources();
      expect(listed.resources).toEqual([expect.objectContaining({ uri: 'file:///etc/app.conf', description: 'app config (deploys with [REDACTED:github-token])' })]);
    } finally {
      await conn.close();
    }
    expect(resultRows('task:t-9').map((r) => r.decision)).toEqual(['REDACT']);
    expect(resultRows('completion:deploy').map((r) => r.decision)).toEqual(['REDACT']);
    expect(resultRows('resources').map((r) => r.decision)).toEqual(['REDACT']);
  });

  it("redacts a credential in an error answer to any request, not only a tool's", async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY]);
    try {
      const failed = String(await settled(conn.client.setLoggingLevel('debug')));
      expect(failed).toContain('cannot set the level: login failed with [REDACTED:github-token]');
      expect(failed).not.toContain(GITHUB_TOKEN);
    } finally {
      await conn.close();
    }
    expect(resultRows('logging/setLevel').map((r) => r.decision)).toEqual(['REDACT']);
  });

  it('passes clean completion values and resource listings untouched', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const completion = await conn.client.complete({ ref: { type: 'ref/resource', uri: 'file:///{name}' }, argument: { name: 'name', value: 'a' } });
      expect(completion.completion.values).toEqual(['deploy-', 'staging']);
      const listed = await conn.client.listResources();
      expect(listed.resources[0]!.description).toBe('app config (deploys with )');
    } finally {
      await conn.close();
    }
    // Autocomplete asks on every keystroke: a clean answer leaves no row; a resource listing does.
    expect(resultRows('completion:file:///{name}')).toEqual([]);
    expect(resultRows('resources').map((r) => r.decision).at(-1)).toBe('PASS');
  });

  it('redacts secrets in what a server sends unasked — progress, log lines, task status, elicitation — keeping their order and shape', async () => {
    const conn = await connectThroughShim({ env: { ...engine().env, FIXTURE_LEAK: GITHUB_TOKEN } }, 'faulty', [process.execPath, FAULTY], { capabilities: { capabilities: { elicitation: {} } } });
    const seen: Array<[string, unknown]> = [];
    try {
      await conn.client.listTools();
      conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen.push(['log', n.params.data]));
      conn.client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void seen.push(['status', n.params.statusMessage]));
      conn.client.setRequestHandler(ElicitRequestSchema, (request) => {
        seen.push(['elicit', request.params.message]);
        return { action: 'decline' };
      });
      const result = await conn.client.callTool({ name: 'read_chatty', arguments: {} }, undefined, { onprogress: (p) => void seen.push(['progress', p.message]) });
      seen.push(['result', (result.content as Array<{ text: string }>)[0]!.text]);
    } finally {
      await conn.close();
    }
    expect(seen).toEqual([
      ['progress', 'cloning with [REDACTED:github-token]'],
      ['log', { event: 'retry', header: 'Authorization: token [REDACTED:github-token]', attempt: 2 }],
      ['log', 'cloned 42 objects'],
      ['status', 'pushing with [REDACTED:github-token]'],
      ['elicit', 'Push with [REDACTED:github-token]?'],
      ['result', 'elicitation answered: a result'],
    ]);
    const rows = JSON.parse(engine().cli(['audit', 'query', "SELECT method, tool_name, decision, rule_id, reason FROM mcp_audit WHERE event = 'result' AND server_name = 'faulty' AND method NOT IN ('tools/call', 'tools/list') ORDER BY id", '--json']).stdout) as Array<Record<string, unknown>>;
    const redacted = { decision: 'REDACT', rule_id: 'output-redact', reason: 'redacted github-token ×1' };
    expect(rows.filter((r) => String(r.method).startsWith('notifications/') || r.method === 'elicitation/create')).toEqual([
      { method: 'notifications/progress', tool_name: expect.stringMatching(/^progress:\d+$/), ...redacted },
      { method: 'notifications/message', tool_name: null, ...redacted },
      { method: 'notifications/tasks/status', tool_name: 'task:t-7', ...redacted },
      { method: 'elicitation/create', tool_name: null, ...redacted },
    ]);
  });
});
