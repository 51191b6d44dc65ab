import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim as rawShimOf } from '../helpers/raw-shim.js';
import { INIT, withReadyShim } from '../helpers/wire-shim.js';

describe('the shim on the wire: odd input', () => {
  const engine = useEngine({ policy: 'version: v1\nrules:\n  - id: ask-writes\n    match:\n      labels:\n        mcp.tool: write_file\n    decision: REQUIRE_APPROVAL\n', approve: ['wire'] });

  it('answers with ids exactly as the client wrote them, even ids JSON.parse cannot keep', async () => {
    await withReadyShim(engine(), async (shim) => {
      // Refused by the shim itself (no tool name): the answer is ours, so is the id's spelling.
      const ids = ['1e400', '123456789012345678901234567890', '"\\u00e9"', '-0', '"a\\/b"', '1.5', '"plain"'];
      for (const id of ids) shim.send(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"arguments":{}}}`);
      // An approval's progress notifications carry the client's token as written, too.
      shim.send('{"jsonrpc":"2.0","id":"ask","method":"tools/call","params":{"name":"write_file","arguments":{},"_meta":{"progressToken":12345678901234567890}}}');
      await waitFor(() => shim.lines.filter((l) => l.includes('"code":-32003')).length === ids.length, 'every refusal');
      await waitFor(() => shim.lines.some((l) => l.includes('notifications/progress')), 'a progress notification');
      const refusals = shim.lines.filter((l) => l.includes('"code":-32003'));
      expect(refusals.map((l) => l.slice(0, l.indexOf(',"error"')))).toEqual(ids.map((id) => `{"jsonrpc":"2.0","id":${id}`));
      expect(shim.lines.find((l) => l.includes('notifications/progress'))).toContain('"progressToken":12345678901234567890,');
      shim.send('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"ask"}}');
    });
  });

  it('answers a client whose own ids start like the firewall\'s (mcp-firewall/…): only ids the firewall sent are its own', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"mcp-firewall/99","method":"ping"}');
      shim.send('{"jsonrpc":"2.0","id":"mcp-firewall/x","method":"tools/list"}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"mcp-firewall/99"')) && shim.lines.some((l) => l.includes('"id":"mcp-firewall/x"')), 'both answers');
      expect(shim.lines.find((l) => l.includes('"id":"mcp-firewall/x"'))).toContain('echo_raw');
    });
  });

  it('keeps the id as written when it rewrites an answer (a redaction), even one JSON.parse cannot keep', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":98765432109876543210,"method":"tools/call","params":{"name":"leak_token","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('[REDACTED:github-token]')), 'the redacted answer');
      expect(shim.lines.find((l) => l.includes('[REDACTED:github-token]'))).toMatch(/^\{"jsonrpc":"2\.0","id":98765432109876543210,"result"/);
    });
  });

  it('sends each member of a batch it takes apart to the server byte for byte', async () => {
    await withReadyShim(engine(), async (shim) => {
      const call = '{"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"echo_raw","arguments":{"big":12345678901234567890,"s":"\\u00e9"}}}';
      const ping = '{"jsonrpc":"2.0","id":123456789012345678901,"method":"ping"}';
      shim.send(`[${call}, {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}},${ping}]`);
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"b1","result"')) && shim.lines.some((l) => l.includes('"code":-32601')), 'both answers');
      expect(shim.received()).toEqual(expect.arrayContaining([call, ping]));
      expect(shim.lines.find((l) => l.includes('"code":-32601'))).toMatch(/^\{"jsonrpc":"2\.0","id":123456789012345678901,/);
    });
  });

  it('answers a client batch member that is not an object with Invalid Request, as a server would, and tells the client of a server batch member it drops', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('[7, {"jsonrpc":"2.0","id":"m1","method":"tools/call","params":{"name":"echo_raw","arguments":{"x":1}}}, "text"]');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"m1","result"')) && shim.lines.filter((l) => l.includes('batch must be an object')).length === 2, 'the call and two refusals');
      const refusal = shim.lines.find((l) => l.includes('batch must be an object'))!;
      expect(JSON.parse(refusal)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: a member of a JSON-RPC batch must be an object' } });
      // The server's side: a junk member beside an answer is dropped, and the client is told.
      shim.send('{"jsonrpc":"2.0","id":"j1","method":"tools/call","params":{"name":"junk_batch","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"j1","result"')) && shim.lines.some((l) => l.includes('batch member that is not a message; dropped: 5')), 'the answer and the notice');
      // Dropped server text never met the output stage: what the detectors find in it is redacted, for the client's log and the audit alike.
      shim.send('{"jsonrpc":"2.0","id":"g1","method":"tools/call","params":{"name":"junk_batch","arguments":{"token":true}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"g1","result"')) && shim.lines.some((l) => l.includes('dropped: \\"[REDACTED:')), 'the redacted notice');
      const token = `ghp_${'FAKEfake'.repeat(4)}0123`;
      expect(shim.lines.join('\n')).not.toContain(token);
      const rows = () => engine().cli(['audit', 'query', "SELECT reason FROM mcp_audit WHERE event = 'protocol' AND reason LIKE '%batch member that is not a message%'", '--json']).stdout;
      await waitFor(() => rows().includes('REDACTED'), 'the protocol row');
      expect(rows()).not.toContain(token);
    });
  });

  it('drops a member that is no object from a batch answering a client batch whole, and audits it', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('[{"jsonrpc":"2.0","id":"pb","method":"wire/junk_plain_batch"}]');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"pb"')) && shim.lines.some((l) => l.includes('batch member that is not a message; dropped')), 'the answer and the notice');
      expect(shim.lines.find((l) => l.includes('"id":"pb"'))).toBe('[{"jsonrpc":"2.0","id":"pb","result":{}}]');
      expect(shim.lines.join('\n')).not.toContain('AKIAIOSFODNN7EXAMPL3');
      const rows = () => engine().cli(['audit', 'query', "SELECT reason FROM mcp_audit WHERE event = 'protocol' AND reason LIKE '%batch member that is not a message%'", '--json']).stdout;
      await waitFor(() => rows().includes('REDACTED:aws-access-key-id'), 'the protocol row');
    });
  });

  it('refuses a tools/call under an id already in flight, so no answer is judged and audited as another call\'s', async () => {
    await withReadyShim(engine(), async (shim) => {
      // One write: the second arrives while the first is still in flight.
      shim.send('{"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"echo_raw","arguments":{"n":1}}}\n{"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"echo_raw","arguments":{"n":2}}}');
      await waitFor(() => shim.lines.filter((l) => l.includes('"id":"dup"')).length === 2, 'two answers');
      const answers = shim.lines.filter((l) => l.includes('"id":"dup"')).map((l) => JSON.parse(l) as { result?: unknown; error?: { code: number; message: string } });
      expect(answers.filter((a) => a.result)).toHaveLength(1);
      expect(answers.find((a) => a.error)!.error).toEqual({ code: -32600, message: 'Invalid Request: MCP Firewall refused a tools/call whose id is already used by a request in flight; it was not sent to the server' });
      expect(shim.received().filter((line) => line.includes('"id":"dup"'))).toEqual([expect.stringContaining('"n":1')]);
    });
  });

  it('refuses any request under the id of a call still waiting for approval, and survives a server batch answering one id twice', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"w","method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/x"}}}');
      await waitFor(() => engine().cli(['approvals', 'list']).stdout.includes('write_file'), 'the call waiting for approval');
      shim.send('{"jsonrpc":"2.0","id":"w","method":"ping"}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"w"')), 'the refusal');
      expect(JSON.parse(shim.lines.find((l) => l.includes('"id":"w"'))!)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('refused a ping whose id is already used') as unknown } });
      expect(shim.received().some((line) => line.includes('"method":"ping"') && line.includes('"id":"w"'))).toBe(false);
      // A server batch with two answers under one id: taken apart, not a crash of the shim.
      shim.send('{"jsonrpc":"2.0","id":"twice","method":"wire/duplicate_batch"}');
      shim.send('{"jsonrpc":"2.0","id":"after","method":"tools/call","params":{"name":"echo_raw","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"after","result"')), 'the call after the batch');
      expect(shim.lines.filter((l) => l.includes('"id":"twice"')).length).toBeGreaterThanOrEqual(1);
      expect(shim.child.exitCode).toBeNull();
    });
  });

  it('never lets a tools/call without an id reach the server, and audits the refusal', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"echo_raw","arguments":{"who":"null id"}}}');
      shim.send('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo_raw","arguments":{"who":"no id"}}}');
      shim.send('[{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo_raw","arguments":{"who":"batched, no id"}}}]');
      shim.send('42');
      shim.send('{"jsonrpc":"2.0","id":"after","method":"tools/call","params":{"name":"echo_raw","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"after","result"')), 'the call after them');
      expect(shim.received().join('\n')).not.toContain('who');
      const nullAnswer = shim.lines.find((l) => l.startsWith('{"jsonrpc":"2.0","id":null'));
      expect(nullAnswer).toMatch(/"code":-32600,"message":"Invalid Request: MCP Firewall refused a tools\/call without an id/);
      await waitFor(() => {
        const rows = engine().cli(['audit', 'query', "SELECT reason FROM mcp_audit WHERE event = 'protocol'"]).stdout;
        return (rows.match(/tools\/call without an id; refused/g) ?? []).length >= 3 && rows.includes('not a message object');
      }, 'the audit rows');
    });
  });

  it('relays a request whose id is an object as any other, not as an internal error', async () => {
    await withReadyShim(engine(), async (shim) => {
      // Not a valid JSON-RPC id, nor one of the firewall's exact ids (JSON.rawJSON).
      const odd = '{"jsonrpc":"2.0","id":{"x":1},"method":"nosuch"}';
      shim.send(odd);
      shim.send('{"jsonrpc":"2.0","id":"after","method":"nosuch"}');
      await waitFor(() => shim.lines.some((l) => l.startsWith('{"jsonrpc":"2.0","id":"after"')), 'the answer after it');
      expect(shim.received()).toContain(odd);
      expect(shim.lines.join('\n')).not.toContain('"code":-32603');
    });
  });
});

describe('the shim keeps the order of what the server sent', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['chatty'] });

  it('does not let a message overtake an answer it holds for the pins (initialize, a tool list)', async () => {
    const shim = rawShimOf(engine(), 'chatty', [process.execPath, join(FIXTURES, 'servers', 'chatty-server.mjs')]);
    try {
      shim.send(INIT);
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":10,"method":"tools/list"}');
      await waitFor(() => shim.lines.some((l) => l.includes('after tools/list 10')), 'the note after the list');
      const order = shim.lines.map((l) => JSON.parse(l) as { id?: unknown; params?: { data?: unknown } }).filter((m) => m.id === 'i' || m.id === 10 || m.params?.data !== undefined).map((m) => (m.id !== undefined ? `answer ${String(m.id)}` : String(m.params!.data)));
      expect(order.filter((o) => !o.startsWith('after tools/list mcp-firewall/'))).toEqual(['answer i', 'after initialize', 'answer 10', 'after tools/list 10']);
    } finally {
      shim.child.stdin!.end();
    }
  });
});
