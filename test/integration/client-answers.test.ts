import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { settled, useEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';
import { githubStyleToken } from '../unit/output/helpers.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const GITHUB_TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
const policy = (argumentsWithSecrets: string) => `version: v1
action_classes:
  - match: { mcp.tool: ["read_*"] }
    class: read
rules: []
output:
  arguments_with_secrets: ${argumentsWithSecrets}
`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A client whose model "writes" `text` when the server asks it for a sampling (after
 * `samplingMs`, counting each in `sampled`), and whose user types `note` into a form.
 */
async function connect(engine: RunningEngine, answers: { text?: string; note?: string; samplingMs?: number; sampled?: string[] }, log: string[] = []): Promise<ShimConnection> {
  const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY], { capabilities: { capabilities: { sampling: {}, elicitation: {} } } });
  conn.client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    answers.sampled?.push(request.method);
    if (answers.samplingMs) await new Promise((resolve) => setTimeout(resolve, answers.samplingMs));
    return { role: 'assistant', content: { type: 'text', text: answers.text ?? '' }, model: 'test-model', stopReason: 'endTurn' };
  });
  conn.client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { note: answers.note ?? '' } }));
  conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void log.push(String(n.params.data)));
  await conn.client.listTools();
  return conn;
}
const ask = async (conn: ShimConnection, kind: 'sampling' | 'elicitation') =>
  ((await conn.client.callTool({ name: 'read_ask', arguments: { kind } })).content as Array<{ text: string }>)[0]!.text;
const callRows = (engine: RunningEngine, method: string) =>
  JSON.parse(engine.cli(['audit', 'query', `SELECT tool_name, decision, rule_id, reason FROM mcp_audit WHERE event = 'call' AND method = '${method}' ORDER BY id`, '--json']).stdout) as Array<Record<string, unknown>>;

describe("the client's answers to a server's requests, with arguments_with_secrets: REQUIRE_APPROVAL (the default)", () => {
  const engine = useEngine({ policy: policy('REQUIRE_APPROVAL'), approve: ['faulty'] });
  const pendingApproval = () => waitFor(async () => ((await engine().api('GET', '/approvals')).body as Array<{ id: string; tool: string; ruleId: string; reason: string }>)[0], 'the approval of the sampling answer');

  it('passes a clean sampling answer to the server as the client wrote it, asking no one', async () => {
    const conn = await connect(engine(), { text: 'Deployed 3 services to staging.' });
    try {
      expect(await ask(conn, 'sampling')).toBe(`asked answered: a result sha256:${sha256('Deployed 3 services to staging.')}`);
    } finally {
      await conn.close();
    }
    expect(callRows(engine(), 'sampling/createMessage')).toEqual([]);
  });

  it('holds a sampling answer that quotes a secret until a person allows it, then the server gets it unchanged', async () => {
    const text = `Deployed with token ${GITHUB_TOKEN}.`;
    const conn = await connect(engine(), { text });
    try {
      const answered = ask(conn, 'sampling');
      const pending = await pendingApproval();
      expect(pending).toMatchObject({ tool: 'sampling/createMessage', ruleId: 'dlp-arguments', reason: "the client's answer carries github-token" });
      await engine().api('POST', `/approvals/${pending.id}/allow`);
      expect(await answered).toBe(`asked answered: a result sha256:${sha256(text)}`);
    } finally {
      await conn.close();
    }
  });

  it('gives the server an error instead of a sampling answer the approver denies, and tells the client', async () => {
    const log: string[] = [];
    const conn = await connect(engine(), { text: `Here is the key you asked for: ${GITHUB_TOKEN}` }, log);
    try {
      const answered = settled(ask(conn, 'sampling'));
      const pending = await pendingApproval();
      await engine().api('POST', `/approvals/${pending.id}/deny`);
      const said = String(await answered);
      expect(said).toMatch(/^asked answered: error MCP Firewall withheld the client's answer to sampling\/createMessage from 'faulty': denied by the approver/);
      expect(said).not.toContain(GITHUB_TOKEN);
      await waitFor(() => log.some((line) => line.includes("withheld the client's answer to sampling/createMessage")), 'the notice in the client log');
    } finally {
      await conn.close();
    }
    expect(callRows(engine(), 'sampling/createMessage').map((r) => r.decision)).toEqual(['ALLOW', 'DENY']);
  });

  it("passes what the user typed into a server's form (elicitation) and audits a secret in it", async () => {
    const note = `my email is jane.doe@example.com and the token ${GITHUB_TOKEN}`;
    const conn = await connect(engine(), { note });
    try {
      expect(await ask(conn, 'elicitation')).toBe(`asked answered: a result sha256:${sha256(JSON.stringify({ note }))}`);
    } finally {
      await conn.close();
    }
    const rows = callRows(engine(), 'elicitation/create');
    expect(rows).toEqual([{ tool_name: 'elicitation/create', decision: 'ALLOW', rule_id: 'dlp-arguments', reason: expect.stringMatching(/^the client's answer carries (github-token, email|email, github-token); passed: the user typed it for this server$/) }]);
    expect(JSON.stringify(rows)).not.toContain(GITHUB_TOKEN);
  });
});

describe("the client's sampling answers with arguments_with_secrets: DENY", () => {
  const engine = useEngine({ policy: policy('DENY'), approve: ['faulty'] });

  it('refuses a sampling answer with a secret at once, as it refuses a call whose arguments carry one', async () => {
    const conn = await connect(engine(), { text: `token ${GITHUB_TOKEN}` });
    try {
      const said = await ask(conn, 'sampling');
      expect(said).toBe("asked answered: error MCP Firewall withheld the client's answer to sampling/createMessage from 'faulty': the client's answer carries github-token (rule dlp-arguments)");
    } finally {
      await conn.close();
    }
    expect(callRows(engine(), 'sampling/createMessage')).toEqual([{ tool_name: 'sampling/createMessage', decision: 'DENY', rule_id: 'dlp-arguments', reason: "the client's answer carries github-token" }]);
  });

  it('refuses it inside a batch too (older clients batch their answers)', async () => {
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"sampling":{}},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"read_ask","arguments":{"kind":"sampling"}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"asked-c1"')), 'the sampling request');
      shim.send(`[{"jsonrpc":"2.0","id":"asked-c1","result":{"role":"assistant","content":{"type":"text","text":"token ${GITHUB_TOKEN}"},"model":"m"}},{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}]`);
      const answer = await waitFor(() => shim.lines.find((l) => l.includes('"id":"c1"')), 'the tool result');
      expect(answer).toContain("asked answered: error MCP Firewall withheld the client's answer to sampling/createMessage");
    } finally {
      shim.child.stdin!.end();
    }
  });
});

describe('requests a server sends under ids it reuses, and more than the firewall keeps', () => {
  const engine = useEngine({ policy: policy('DENY'), approve: ['faulty'] });
  const SECRET_TEXT = `token ${GITHUB_TOKEN}`;
  const LEAKED = `text sha256:${sha256(SECRET_TEXT)}`;
  /** The server sends `requests` and reports, in order, what came back under their ids. */
  const askAs = async (conn: ShimConnection, requests: Array<[string, string]>) =>
    JSON.parse(((await conn.client.callTool({ name: 'read_ask_as', arguments: { requests } })).content as Array<{ text: string }>)[0]!.text) as string[];
  const refused = (method: string) => `error Invalid Request: MCP Firewall refused a "${method}" whose id is already used by one in flight; it was not sent to the client`;
  const withheld = "error MCP Firewall withheld the client's answer to sampling/createMessage from 'faulty': the client's answer carries github-token (rule dlp-arguments)";
  const protocolRows = (like: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT reason FROM mcp_audit WHERE event = 'protocol' AND reason LIKE '${like}'`, '--json']).stdout) as Array<{ reason: string }>;

  it('refuses a sampling request under the id of a ping the client has not answered, so its answer cannot pass as the ping\'s', async () => {
    const sampled: string[] = [];
    const conn = await connect(engine(), { text: SECRET_TEXT, sampled });
    try {
      const heard = await askAs(conn, [['twice', 'ping'], ['twice', 'sampling/createMessage']]);
      expect(heard).toEqual([`twice ${refused('sampling/createMessage')}`, 'twice a result']);
      expect(heard.join()).not.toContain(LEAKED);
      expect(sampled).toEqual([]);
    } finally {
      await conn.close();
    }
    await waitFor(() => protocolRows('server sent "sampling/createMessage" under an id already in flight; refused').length === 1, 'the protocol row');
  });

  it('refuses the same sampling sent twice under one id: the second answer cannot slip by after the first is withheld', async () => {
    const sampled: string[] = [];
    const conn = await connect(engine(), { text: SECRET_TEXT, sampled });
    try {
      const heard = await askAs(conn, [['again', 'sampling/createMessage'], ['again', 'sampling/createMessage']]);
      expect(heard).toEqual([`again ${refused('sampling/createMessage')}`, `again ${withheld}`]);
      expect(sampled).toHaveLength(1);
    } finally {
      await conn.close();
    }
  });

  it('refuses a ping under the id of a sampling still awaited, so the ping\'s answer cannot take the sampling\'s check', async () => {
    // The client's model takes a while (a second, so a busy box still has the ping in first): its answer to the ping would come first.
    const conn = await connect(engine(), { text: SECRET_TEXT, samplingMs: 1_000 });
    try {
      const heard = await askAs(conn, [['slow', 'sampling/createMessage'], ['slow', 'ping']]);
      expect(heard).toEqual([`slow ${refused('ping')}`, `slow ${withheld}`]);
    } finally {
      await conn.close();
    }
  });

  it('takes an id again once the client has answered under it', async () => {
    const conn = await connect(engine(), { text: 'Deployed 3 services to staging.' });
    try {
      expect(await askAs(conn, [['reused', 'sampling/createMessage']])).toEqual([`reused text sha256:${sha256('Deployed 3 services to staging.')}`]);
      expect(await askAs(conn, [['reused', 'ping']])).toEqual(['reused a result']);
    } finally {
      await conn.close();
    }
  });

  it('refuses a request past the 1024 awaited instead of forgetting the oldest, whose answer is then still checked', async () => {
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"sampling":{}},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      const requests = Array.from({ length: 1025 }, (_, i) => [`flood-${i}`, 'sampling/createMessage']);
      shim.send(JSON.stringify({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: { name: 'read_ask_as', arguments: { requests, expect: 0 } } }));
      // Its answer comes after all 1025 requests on the server's stream, so all were handled by then.
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"c1"')), 'the flood to be sent');
      shim.send(JSON.stringify({ jsonrpc: '2.0', id: 'flood-0', result: { role: 'assistant', content: { type: 'text', text: SECRET_TEXT }, model: 'm' } }));
      shim.send('{"jsonrpc":"2.0","id":"c2","method":"tools/call","params":{"name":"read_heard","arguments":{}}}');
      const answer = await waitFor(() => shim.lines.find((l) => l.includes('"id":"c2"')), 'what the server heard');
      const heard = JSON.parse((JSON.parse(answer) as { result: { content: Array<{ text: string }> } }).result.content[0]!.text) as string[];
      expect(heard).toEqual([
        "flood-1024 error Invalid Request: MCP Firewall refused a \"sampling/createMessage\" while 1024 requests of 'faulty' wait for the client's answer; it was not sent to the client",
        `flood-0 ${withheld}`,
      ]);
      expect(shim.lines.filter((l) => l.includes('"method":"sampling/createMessage"'))).toHaveLength(1024);
      expect(shim.lines.some((l) => l.includes('"id":"flood-1024"'))).toBe(false);
    } finally {
      shim.child.stdin!.end();
    }
  });
});
