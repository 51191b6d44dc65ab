import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/index.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import type { OrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { createServerMessages } from '../../../main/firewall/proxy/server-messages.js';
import { githubStyleToken } from '../output/helpers.js';

const TOKEN = githubStyleToken('ghp_', 'Zq8RmP2vX7kLw4Nt9Hs6Jd3Fb5Gc1Y');
const PEM = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'QyNTUxOQAAACB9mC0cXH3n3Qm3P0g8yFq9bq0h6m2Qv7Cj0b7m8GxkFQAAAJg3o0M4N6NDOA', '-----END OPENSSH PRIVATE KEY-----'].join('\n');

function relay(spool: 'ok' | 'failing' = 'ok') {
  const sent: Array<Buffer | string> = [];
  const rows: AuditEntry[] = [];
  const link = {
    record: (entry: AuditEntry) => void rows.push(entry),
    flush: () => {
      if (spool === 'failing') throw new Error('audit write failed: disk full');
    },
  } as unknown as EngineLink;
  const toClient = { send: (line: Buffer | string) => (sent.push(line), true) } as unknown as OrderedWriter;
  const withheld: Array<[unknown, string]> = [];
  const messages = createServerMessages({ link, toClient, thresholds: () => DEFAULT_OUTPUT_THRESHOLDS, row: (fields) => ({ ...fields, event: 'result' }), onWithheldRequest: (id, why) => void withheld.push([id, why]) });
  const send = (text: string) => messages.pass(JSON.parse(text), Buffer.from(text), text);
  return { sent, rows, send, withheld, close: messages.close };
}

describe('messages a server sends unasked', () => {
  it('passes a clean notification on as the very bytes the server wrote, with no audit row', () => {
    const { sent, rows, send } = relay();
    const text = '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":{"files":3,"note":"caf\\u00e9"}}}';
    send(text);
    expect(sent).toHaveLength(1);
    expect(Buffer.isBuffer(sent[0]) && sent[0].toString()).toBe(text);
    expect(rows).toEqual([]);
  });

  it('redacts a progress message and keeps a progress token past 2^53 as the client wrote it', () => {
    const { sent, rows, send } = relay();
    send(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":9007199254740993,"progress":1,"message":"cloning with ${TOKEN}"}}`);
    expect(sent).toEqual(['{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":9007199254740993,"progress":1,"message":"cloning with [REDACTED:github-token]"}}']);
    expect(rows).toEqual([{ event: 'result', decision: 'REDACT', ruleId: 'output-redact', method: 'notifications/progress', toolName: 'progress:9007199254740993', requestId: null, reason: 'redacted github-token ×1' }]);
  });

  it('keeps every number of a redacted message, and of one re-serialised for a repeated key, as the server wrote it', () => {
    const { sent, send } = relay();
    const numbers = '"progress":1.0,"total":2.50,"bytes":1800000000000000123,"big":1e400';
    send(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","message":"cloning with ${TOKEN}",${numbers}}}`);
    send(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":{"n":1.0,"data":"${TOKEN}","data":"ok"}}}`);
    expect(sent).toEqual([
      `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","message":"cloning with [REDACTED:github-token]",${numbers}}}`,
      '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":{"n":1.0,"data":"ok"}}}',
    ]);
  });

  it('redacts a request to the client but never its id, which the client answers by', () => {
    const { sent, rows, send } = relay();
    send(`{"jsonrpc":"2.0","id":12345678901234567890,"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"use ${TOKEN}"}}],"maxTokens":10}}`);
    expect(String(sent[0])).toBe('{"jsonrpc":"2.0","id":12345678901234567890,"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"use [REDACTED:github-token]"}}],"maxTokens":10}}');
    expect(rows[0]).toMatchObject({ method: 'sampling/createMessage', requestId: '12345678901234567890' });
  });

  it('redacts, not withholds, what would quarantine a result (a private key in a log line), and says so in the row', () => {
    const { sent, rows, send } = relay();
    send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'debug', data: `loaded ${PEM}` } }));
    expect(String(sent[0])).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
    expect(JSON.parse(String(sent[0]))).toMatchObject({ method: 'notifications/message', params: { level: 'debug', data: expect.stringContaining('[REDACTED:private-key]') } });
    expect(rows[0]!.reason).toMatch(/^redacted private-key ×1; a result holding as much would be quarantined/);
  });

  it('reads a message that is not an object too', () => {
    const { sent, send } = relay();
    send(JSON.stringify(`token ${TOKEN}`));
    expect(sent).toEqual(['"token [REDACTED:github-token]"']);
  });

  it('withholds a redacted message whose audit row cannot be written, and tells the client', () => {
    const { sent, send } = relay('failing');
    send(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"token ${TOKEN}"}}`);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(String(sent[0]))).toMatchObject({ method: 'notifications/message', params: { level: 'error', logger: 'mcp-firewall', data: expect.stringContaining('withheld a notifications/message from the server') } });
    expect(String(sent[0])).not.toContain(TOKEN);
  });

  it('answers a withheld request of the server for the client, by its id as written, so it is not left waiting', () => {
    const { sent, send, withheld } = relay('failing');
    send(`{"jsonrpc":"2.0","id":9007199254740993,"method":"elicitation/create","params":{"message":"confirm ${TOKEN}","requestedSchema":{"type":"object","properties":{}}}}`);
    expect(String(sent[0])).not.toContain(TOKEN);
    expect(withheld).toEqual([[{ rawJSON: '9007199254740993' }, expect.stringContaining('its audit row could not be written (audit write failed: disk full)')]]);
    // A notification has no one waiting for it.
    send(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"token ${TOKEN}"}}`);
    expect(withheld).toHaveLength(1);
  });

  it('audits 30 redactions a minute one by one, then counts the rest in one row, and still redacts every one', () => {
    const { sent, rows, send, close } = relay();
    for (let i = 0; i < 100; i++) send(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"line ${i}: ${TOKEN}"}}`);
    expect(sent).toHaveLength(100);
    expect(sent.join('\n')).not.toContain(TOKEN);
    expect(rows).toHaveLength(30);
    close();
    expect(rows).toHaveLength(31);
    expect(rows[30]).toMatchObject({ decision: 'REDACT', reason: expect.stringMatching(/^70 more messages the server sent on its own were redacted/) as unknown });
  });
});
