import { describe, expect, it } from 'vitest';
import { replyIdOf, type ReplyId } from '../../../main/firewall/jsonrpc/messages.js';
import { inspectResultLine } from '../../../main/firewall/output/index.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/verdict.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createOutputStage } from '../../../main/firewall/proxy/output-stage.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// A redacted answer leaves re-serialised; what JSON.parse read of a number is not what the
// server wrote when the number is past 2^53, past a double's range, or spelled otherwise.
const TOKEN = 'ghp_R7mK2pQx9vLw4ZsT8bNc3YhJ6dFg1A2b3c4d';
const NUMBERS = '"tweetId":1800000000000000123,"orderId":9007199254740993,"price":1.10,"big":1e400,"neg":-0,"small":1E-7,"plain":42';

function stage() {
  const client = recordingWriter();
  let released: ((item: { id: string; tool: string; argsDigest: string; payload: string }) => void) | undefined;
  const link = {
    onReleased: (listener: typeof released) => void (released = listener), onReleaseTaken: () => {},
    event: () => {}, record: () => {}, flush: () => {}, delivered: () => {}, quarantine: async () => 'qtn_1',
  } as unknown as EngineLink;
  const output = createOutputStage({ link, toClient: createOrderedWriter(client), thresholds: () => DEFAULT_OUTPUT_THRESHOLDS, row: (_call, fields) => ({ event: 'result', ...fields }) });
  const deliver = (id: ReplyId | ReplyId[], line: string) => output.deliver({ id, tool: 't', argsDigest: 'd', info: {} as never }, { raw: Buffer.from(line), text: line, failed: false }, 1);
  return { client, output, deliver, release: (payload: string) => released!({ id: 'qtn_1', tool: 't', argsDigest: 'd', payload }) };
}

describe('a redacted answer', () => {
  it('keeps every number of the result as the server wrote it', () => {
    const { client, deliver } = stage();
    deliver(7, `{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"deploy key ${TOKEN}"}],"structuredContent":{${NUMBERS}}}}`);
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).not.toContain(TOKEN);
    expect(client.sent[0]).toContain(`"structuredContent":{${NUMBERS}}`);
  });

  it('keeps the id of each member of a batch answer as the client wrote it', () => {
    const { client, deliver } = stage();
    const members = [
      `{"jsonrpc":"2.0","id":9007199254740993,"result":{"content":[{"type":"text","text":"k ${TOKEN}"}]}}`,
      '{"jsonrpc":"2.0","id":"\\u00e9b","result":{"content":[{"type":"text","text":"ok"}]}}',
    ];
    const ids = members.map((m) => replyIdOf(JSON.parse(m).id, m));
    deliver(ids, `[${members.join(',')}]`);
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).not.toContain(TOKEN);
    expect(client.sent[0]).toMatch(/^\[\{"jsonrpc":"2.0","id":9007199254740993,.*\},\{"jsonrpc":"2.0","id":"\\u00e9b",/);
  });

  it('that repeats a key leaves re-serialised with its numbers as written', () => {
    const { client, deliver } = stage();
    const line = `{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"ok","text":"ok"}],"structuredContent":{${NUMBERS}}}}`;
    deliver(5, line);
    expect(client.sent).toEqual([`{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"ok"}],"structuredContent":{${NUMBERS}}}}`]);
  });

  it('released from quarantine keeps its numbers as written', () => {
    const { client, output, release } = stage();
    release(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"k"}],"structuredContent":{${NUMBERS}}}}`);
    expect(output.answerFromRelease({ id: 9, tool: 't', argsDigest: 'd', info: {} as never })).toBe(true);
    expect(client.sent).toEqual([`{"jsonrpc":"2.0","id":9,"result":{"content":[{"type":"text","text":"k"}],"structuredContent":{${NUMBERS}}}}`]);
  });

  it('keeps a number the detectors would read as a card number a number, unscanned', () => {
    // Kept as its source text, a number is still no string: nothing in it is redacted.
    const v = inspectResultLine(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"${TOKEN}"}],"n":4111111111111111110}}`);
    expect(v.action).toBe('REDACT');
    expect(v.findings.map((f) => f.type)).toEqual(['github-token']);
    expect(JSON.stringify(v.redacted)).toContain('"n":4111111111111111110');
  });
});
