import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/index.js';
import type { CompiledPolicy } from '../../../main/firewall/policy/evaluate.js';
import { createClientAnswers } from '../../../main/firewall/proxy/client-answers.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import type { OrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import type { PeerWriter } from '../../../main/firewall/proxy/peer-writer.js';
import { githubStyleToken } from '../output/helpers.js';

const TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');

/** Client answers of a session whose approvals the test answers through `approve`. */
function session(options: { pausedUntil?: string } = {}) {
  const toServer: string[] = [];
  const toClient: string[] = [];
  const events: string[] = [];
  let approve: (decision: 'ALLOW' | 'DENY') => void = () => {};
  const link = {
    closed: false,
    record: (_entry: AuditEntry) => {},
    flush: () => {},
    decide: () => ({
      verdict: new Promise((resolve) => {
        approve = (decision) => resolve({ t: 'verdict', rid: 1, decision, ruleId: 'dlp-arguments', reason: 'decided', approvalId: null, constraints: {} });
      }),
      cancel: () => {},
    }),
  } as unknown as EngineLink;
  const policy = { spec: { output: { ...DEFAULT_OUTPUT_THRESHOLDS, argumentsWithSecrets: 'REQUIRE_APPROVAL' } } } as unknown as CompiledPolicy;
  const answers = createClientAnswers({
    server: 'srv', sessionId: 's1', client: () => 'test', actorId: () => 'me@test', policy: () => policy, emergency: () => false, pausedUntil: () => options.pausedUntil ?? null, link,
    toClient: { send: (line: Buffer | string) => (toClient.push(String(line)), true) } as unknown as OrderedWriter,
    toServer: { send: (line: Buffer | string) => (toServer.push(String(line)), true) } as unknown as PeerWriter,
    protocolEvent: (reason) => void events.push(reason),
  });
  const ask = (text: string) => answers.asked(JSON.parse(text), text);
  const answer = (text: string) => answers.pass(JSON.parse(text), Buffer.from(text), text);
  return { answers, ask, answer, toServer, toClient, events, approve: (decision: 'ALLOW' | 'DENY') => approve(decision) };
}
const sampling = (id: string) => `{"jsonrpc":"2.0","id":${id},"method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}`;
const sampled = (id: string, text: string) => `{"jsonrpc":"2.0","id":${id},"result":{"role":"assistant","content":{"type":"text","text":"${text}"},"model":"m"}}`;

describe("the server's requests the client's answers are matched to", () => {
  it('refuses a request under an id in flight, answering the server (by the id as it wrote it) and not the client', () => {
    const { ask, toServer, events } = session();
    expect(ask('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}')).toBe(true);
    expect(ask(sampling('12345678901234567890'))).toBe(false);
    expect(toServer).toEqual(['{"jsonrpc":"2.0","id":12345678901234567890,"error":{"code":-32600,"message":"Invalid Request: MCP Firewall refused a \\"sampling/createMessage\\" whose id is already used by one in flight; it was not sent to the client"}}']);
    expect(events).toEqual(['server sent "sampling/createMessage" under an id already in flight; refused']);
  });

  it('tells a string id from a number: "7" and 7 are two requests', () => {
    const { ask } = session();
    expect(ask(sampling('"7"'))).toBe(true);
    expect(ask(sampling('7'))).toBe(true);
  });

  it('refuses a request with a null id, whose answer could be matched to nothing', () => {
    const { ask, toServer } = session();
    expect(ask(sampling('null'))).toBe(false);
    expect(JSON.parse(toServer[0]!)).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('with a null id') } });
  });

  it('passes notifications without remembering them', () => {
    const { ask, answers } = session();
    expect(ask('{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}')).toBe(true);
    expect(answers.awaited({ jsonrpc: '2.0', id: 1, result: {} })).toBe(false);
  });

  it("frees an id once the client's answer to an unchecked request (a ping) passed", () => {
    const { ask, answer, answers } = session();
    ask('{"jsonrpc":"2.0","id":"p","method":"ping"}');
    expect(answers.awaited({ id: 'p', result: {} })).toBe(true);
    expect(answer('{"jsonrpc":"2.0","id":"p","result":{}}')).toBe(true);
    expect(answers.awaited({ id: 'p', result: {} })).toBe(false);
    expect(ask(sampling('"p"'))).toBe(true);
  });

  it('does not let requests the server cancelled fill the table, and still checks a late answer to one', () => {
    const { ask, answer, toServer } = session();
    ask(sampling('"first"'));
    // MCP: the client need not answer a request its sender cancelled; many never will.
    for (let i = 0; i < 1100; i++) {
      expect(ask(sampling(`"c${i}"`))).toBe(true);
      expect(ask(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c${i}"}}`)).toBe(true);
    }
    expect(ask(sampling('"after"'))).toBe(true);
    // The first cancelled one is still matched: its late answer meets the DLP (here: asks a person, so held).
    ask('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"first"}}');
    expect(answer(sampled('"first"', `key ${TOKEN}`))).toBe(false);
    expect(toServer.join('\n')).not.toContain(TOKEN);
  });

  it('never forgets a cancelled request to make room: past the bound new requests are refused, and a late answer is still checked', () => {
    const { ask, answer, toServer } = session();
    ask(sampling('"first"'));
    ask('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"first"}}');
    let refused = 0;
    for (let i = 0; i < 4200; i++) {
      if (!ask(sampling(`"c${i}"`))) refused++;
      ask(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c${i}"}}`);
    }
    expect(refused).toBeGreaterThan(0);
    // The refusal names the bound that was reached, not the one on requests waiting.
    expect(toServer.some((line) => line.includes('cancelled still wait for the client'))).toBe(true);
    expect(answer(sampled('"first"', `key ${TOKEN}`))).toBe(false);
    expect(toServer.filter((line) => line.includes(TOKEN))).toEqual([]);
  });

  it('answers the server for a request the firewall withheld from the client, and frees its id', () => {
    const { ask, answers, toServer } = session();
    ask(sampling('"w"'));
    answers.withheld('w', 'its audit row could not be written (disk full)');
    expect(JSON.parse(toServer.at(-1)!)).toMatchObject({ id: 'w', error: { message: 'MCP Firewall did not pass this request on to the client: its audit row could not be written (disk full)' } });
    expect(answers.awaited({ id: 'w', result: {} })).toBe(false);
    expect(ask(sampling('"w"'))).toBe(true);
  });

  it('keeps the id of a sampling whose answer waits for a person taken until they decide', async () => {
    const { ask, answer, approve, toServer } = session();
    ask(sampling('"s"'));
    expect(answer(sampled('"s"', `key ${TOKEN}`))).toBe(false);
    expect(ask('{"jsonrpc":"2.0","id":"s","method":"ping"}')).toBe(false);
    approve('ALLOW');
    await new Promise((resolve) => setImmediate(resolve));
    expect(toServer.at(-1)).toBe(sampled('"s"', `key ${TOKEN}`));
    expect(ask('{"jsonrpc":"2.0","id":"s","method":"ping"}')).toBe(true);
  });

  it('asks a person about a sampling answer carrying a secret while protection is paused: a pause silences routine asks, not findings', () => {
    const { ask, answer, toServer } = session({ pausedUntil: new Date(Date.now() + 60 * 60_000).toISOString() });
    ask(sampling('"p"'));
    expect(answer(sampled('"p"', `key ${TOKEN}`))).toBe(false);
    expect(toServer.filter((line) => line.includes(TOKEN))).toEqual([]);
  });
});
