import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor, type PendingApproval } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { githubStyleToken } from '../unit/output/helpers.js';

// A batch travels to the server whole unless a member needs the firewall's own handling: then
// every member takes the path a single message takes. These members need it though nothing
// about their method is policed, and went whole before (found by review).
const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
// Reports every line it receives as a notification: what reached the server.
const WIRE = join(FIXTURES, 'servers', 'wire-server.mjs');
// Tells, through its tool count_prompt_lists, how many prompts/list it was sent.
const MANIFEST_SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const INIT = '{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';
const POLICY = `version: v1
rules:
  - id: ask-updates
    match:
      labels:
        mcp.tool: update_record
    decision: REQUIRE_APPROVAL
  - id: no-writes
    match:
      labels:
        mcp.tool: write_file
    decision: DENY
`;

type Answer = { id?: unknown; method?: string; result?: { content?: Array<{ text: string }> }; error?: { message: string }; params?: { data?: { received?: string } } };

describe('batch members the single-message path would refuse or act on', () => {
  const engine = useEngine({ policy: POLICY, approve: ['faulty', 'wire', 'manifest'] });

  it('a request reusing the id of a call in flight, in a batch, is refused, and the call\'s result still meets the output stage', async () => {
    const token = githubStyleToken('ghp_', 'Vb7Nq2Lx9Ks4Tw8Rm3Hp6Jc1Fd5Gz0');
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY], { FIXTURE_LEAK: token });
    const received = () => shim.lines.map((l) => JSON.parse(l) as Answer | Answer[]).flat();
    try {
      shim.send(INIT);
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"read_slow","arguments":{"ms":800,"leak":true}}}');
      // Whole, the ping's place would take the call's: its answer, the token in it, would leave as the ping's.
      shim.send('[{"jsonrpc":"2.0","id":7,"method":"ping"}]');
      shim.send('[{"jsonrpc":"2.0","id":"twice","method":"ping"},{"jsonrpc":"2.0","id":"twice","method":"ping"}]');
      const result = await waitFor(() => received().find((m) => m.id === 7 && m.result), 'the result of call 7');
      expect(result.result!.content![0]!.text).toMatch(/^late /);
      expect(shim.lines.join('\n')).not.toContain(token);
      const refused = received().filter((m) => m.error?.message.includes('whose id is already used by a request in flight'));
      expect(refused.map((m) => m.id).sort()).toEqual([7, 'twice'].sort());
      // The first went on, and the server answered it (this one has no ping: "Method not found").
      await waitFor(() => received().find((m) => m.id === 'twice' && m.error?.message === 'Method not found'), 'the server\'s answer to the first "twice"');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('a cancel in a batch withdraws the approval its call waits for', async () => {
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY]);
    const pending = async () => ((await engine().api('GET', '/approvals')).body as PendingApproval[]).filter((p) => p.server === 'faulty');
    try {
      shim.send(INIT);
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"u1","method":"tools/call","params":{"name":"update_record","arguments":{"id":1}}}');
      await waitFor(async () => (await pending()).length === 1 || null, 'the pending update');
      shim.send('[{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"u1","reason":"stop"}}]');
      await waitFor(async () => (await pending()).length === 0 || null, 'the approval withdrawn');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('initialized in a batch starts the firewall\'s own looks, as it does alone', async () => {
    const manifest = { tools: [{ name: 'count_prompt_lists', description: 'Counts.', inputSchema: { type: 'object' } }], prompts: [{ name: 'triage', description: 'Sorts tickets.' }] };
    const shim = rawShim(engine(), 'manifest', [process.execPath, MANIFEST_SERVER], { MANIFEST: JSON.stringify(manifest) });
    const received = () => shim.lines.map((l) => JSON.parse(l) as Answer);
    try {
      shim.send(INIT);
      await waitFor(() => received().find((m) => m.id === 'init'), 'the answer to initialize');
      shim.send('[{"jsonrpc":"2.0","method":"notifications/initialized"}]');
      // The session's start is when the firewall lists the server's prompts itself (to hold a
      // prompt that drifts later): the server hears a prompts/list no client sent.
      let n = 0;
      await waitFor(async () => {
        const id = `count-${n++}`;
        shim.send(`{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"count_prompt_lists","arguments":{}}}`);
        const answer = await waitFor(() => received().find((m) => m.id === id), `the answer to ${id}`);
        return Number(answer.result?.content?.[0]?.text) >= 1 || null;
      }, 'the firewall\'s own prompts/list');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it('a method near tools/call and a nested batch are refused, and never reach the server', async () => {
    const shim = rawShim(engine(), 'wire', [process.execPath, WIRE]);
    const received = () => shim.lines.map((l) => JSON.parse(l) as Answer | Answer[]).flat();
    const reachedServer = () => received().flatMap((m) => (typeof m.params?.data?.received === 'string' ? [m.params.data.received] : []));
    try {
      shim.send(INIT);
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('[{"jsonrpc":"2.0","id":"cased","method":"Tools/Call","params":{"name":"write_file","arguments":{"path":"/tmp/x"}}}]');
      shim.send('[[{"jsonrpc":"2.0","id":"nested","method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/x"}}}]]');
      shim.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
      await waitFor(() => received().find((m) => m.id === 'after' && m.method === undefined), 'the answer after them');
      expect(received().find((m) => m.id === 'cased')?.error?.message).toMatch(/refused the method "Tools\/Call", which a lenient server could run as tools\/call/);
      expect(received().some((m) => m.id === null && m.error?.message.includes('a member of a JSON-RPC batch must be an object'))).toBe(true);
      expect(reachedServer().some((line) => line.includes('"id":"after"'))).toBe(true);
      expect(reachedServer().filter((line) => line.includes('write_file'))).toEqual([]);
    } finally {
      shim.child.stdin!.end();
    }
  });
});
