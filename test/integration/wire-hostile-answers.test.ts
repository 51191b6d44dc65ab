import { describe, expect, it } from 'vitest';
import { repeatsTopLevelKey } from '../../main/firewall/jsonrpc/json-scan.js';
import { useEngine, waitFor, type PendingApproval } from '../helpers/engine-harness.js';
import { withReadyShim } from '../helpers/wire-shim.js';

// A server that guesses the client's ids, or writes one answer under two, and a client
// batch built to throw in the shim's own handling.
describe('the shim against answers a hostile server makes up', () => {
  const engine = useEngine({ policy: 'version: v1\nrules:\n  - id: ask-writes\n    match:\n      labels:\n        mcp.tool: write_file\n    decision: REQUIRE_APPROVAL\n', approve: ['wire'] });
  const pending = async () => (await engine().api('GET', '/approvals')).body as PendingApproval[];
  const protocolRows = () => engine().cli(['audit', 'query', "SELECT reason FROM mcp_audit WHERE event = 'protocol'", '--json']).stdout;

  it('drops an "answer" to a call still waiting for approval: the client never reads it as done, and the wait goes on', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"w","method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/x"}}}');
      await waitFor(async () => (await pending()).length === 1, 'the approval');
      shim.send('{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"answer_ahead","arguments":{"id":"w"}}}');
      shim.send('{"jsonrpc":"2.0","id":"n","method":"tools/call","params":{"name":"answer_ahead","arguments":{"id":"never-sent"}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"n","result"')), 'the answers after the made-up ones');
      expect(shim.lines.join('\n')).not.toContain('fabricated');
      expect(await pending()).toHaveLength(1);
      await waitFor(() => /a call not yet sent to it \(id s:w\); dropped/.test(protocolRows()) && /no request in flight \(id s:never-sent\); dropped/.test(protocolRows()), 'the audit rows');
      // Still the person's to answer: denied, the client hears so, and the server never saw the call.
      engine().cli(['approvals', 'deny', (await pending())[0]!.id]);
      await waitFor(() => shim.lines.some((l) => l.startsWith('{"jsonrpc":"2.0","id":"w","error"')), 'the denial');
      expect(shim.received().join('\n')).not.toContain('/tmp/x');
    });
  });

  it('does not pass on unparsed a large clean answer with another value after it on the line', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"trailing_value","arguments":{}}}');
      await waitFor(() => shim.lines.find((l) => l.includes('not JSON; dropped')), 'the line dropped');
      // A client reading value after value would have taken the tail for a message of the server's.
      expect(shim.lines.filter((l) => l.includes('tail value') && !l.includes('dropped'))).toEqual([]);
    });
  });

  it('scans the answer to a method nothing labels (an extension\'s, a ping) as what the server sends on its own', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"x","method":"wire/leak_result"}');
      const answer = await waitFor(() => shim.lines.find((l) => l.startsWith('{"jsonrpc":"2.0","id":"x"')), 'the answer');
      expect(answer).not.toContain('FAKEfake');
      expect(JSON.parse(answer)).toMatchObject({ result: { config: expect.stringMatching(/^token \S+$/) as unknown } });
    });
  });

  it('passes on an error under a null id (a request the server could not read), scanned like what the server sends on its own', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"ne","method":"wire/null_error"}');
      await waitFor(() => shim.lines.some((l) => l.startsWith('{"jsonrpc":"2.0","id":"ne","result"')), 'the answer after the error');
      const error = shim.lines.find((l) => l.includes('"id":null') && l.includes('could not read a line'));
      expect(error).toBeDefined();
      expect(error).not.toContain('FAKEfake');
    });
  });

  it('passes on an answer that names two ids as it was read, so no client reads another id than the one the firewall matched', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"h","method":"wire/hold"}');
      shim.send('{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"double_id","arguments":{"target":"h"}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('smuggled')), 'the answer');
      const answer = shim.lines.find((l) => l.includes('smuggled'))!;
      // One id, the one JSON.parse reads; not the 2 KB answer to call c with "h" tacked on.
      expect(repeatsTopLevelKey(answer)).toBe(false);
      expect(JSON.parse(answer)).toEqual({ jsonrpc: '2.0', id: 'h', result: { smuggled: true } });
      await waitFor(() => protocolRows().includes('repeats a top-level key; passed on as the firewall read it'), 'the audit row');
    });
  });

  it('survives a server message it cannot write out again (a repeated key around nesting JSON.parse takes), dropping it with a notice', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('{"jsonrpc":"2.0","id":"d","method":"tools/call","params":{"name":"deep_repeat","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"d","result"')), 'the answer after the deep message');
      expect(shim.child.exitCode).toBeNull();
      expect(shim.lines.some((l) => l.includes('could not handle a message from server'))).toBe(true);
    });
  });

  it('survives a client batch whose member makes the shim\'s own handling throw, and keeps relaying', async () => {
    await withReadyShim(engine(), async (shim) => {
      shim.send('[{"jsonrpc":"2.0","id":"r","method":"resources/read","params":{"uri":{"toString":1}}},{"jsonrpc":"2.0","id":"m","method":{"toString":1}}]');
      shim.send('[{"jsonrpc":"2.0","id":"r2","method":"resources/read","params":{"uri":{"toString":1}}},{"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"echo_raw","arguments":{}}}]');
      shim.send('{"jsonrpc":"2.0","id":"after","method":"tools/call","params":{"name":"echo_raw","arguments":{}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":"after","result"')), 'the call after the batches');
      expect(shim.child.exitCode).toBeNull();
      expect(shim.lines.some((l) => l.includes('"id":"t","result"'))).toBe(true);
    });
  });
});
