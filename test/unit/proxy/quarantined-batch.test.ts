import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { maskedPayload, QUARANTINE_ROUTES } from '../../../main/firewall/api/quarantine-routes.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/verdict.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { createOutputStage } from '../../../main/firewall/proxy/output-stage.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// A batch answer is held whole, under no tool: a retry is split and matched member by member,
// so a release never answers one. The client is told how to get the answers instead.
const SECRETS = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc and AKIAZ3MUOHLQ4XPRTN2W';
const BATCH = JSON.stringify([
  { jsonrpc: '2.0', id: 1, result: { contents: [{ uri: 'file:///k', text: SECRETS }] } },
  { jsonrpc: '2.0', id: 2, result: { contents: [{ uri: 'file:///r', text: 'fine' }] } },
]);

describe('a quarantined batch answer', () => {
  it('tells the client to send the requests again one at a time, not to retry after a release', async () => {
    const client = recordingWriter();
    const link = { quarantine: async () => 'q_1', onReleased: () => {}, onReleaseTaken: () => {}, event: (_e: AuditEntry) => {}, record: () => {}, flush: () => {} } as unknown as EngineLink;
    const stage = createOutputStage({ link, toClient: createOrderedWriter(client), thresholds: () => ({ ...DEFAULT_OUTPUT_THRESHOLDS, quarantineSecretCount: 2 }), row: (_call, fields) => ({ event: 'result', ...fields }) });
    stage.deliver({ id: [1, 2], tool: 'batch', argsDigest: 'd', info: {} as never }, { raw: Buffer.from(BATCH), text: BATCH, failed: false }, 1);
    await new Promise((resolve) => setImmediate(resolve));
    const sent = client.sent.join('\n');
    expect(sent).toContain('q_1');
    expect(sent).toContain('one at a time');
    expect(sent).not.toContain('send the same request again');
  });

  it('shows every member of a held batch as the server sent it with --raw', async () => {
    const [, , show] = QUARANTINE_ROUTES.find(([method, pattern]) => method === 'GET' && pattern.test('/api/quarantine/q_1'))!;
    const engine = { quarantine: { show: async () => ({ item: { id: 'q_1', tool: 'batch' }, payload: BATCH }) } };
    const shown = await show({ engine: engine as never, params: ['q_1'], url: new URL('http://127.0.0.1/api/quarantine/q_1?raw=1') });
    expect(shown).toEqual({ id: 'q_1', tool: 'batch', result: [{ contents: [{ uri: 'file:///k', text: SECRETS }] }, { contents: [{ uri: 'file:///r', text: 'fine' }] }] });
  });

  it('shows every member of a held batch, masked, for review', () => {
    const shown = JSON.stringify(maskedPayload(BATCH));
    expect(shown).toContain('file:///k');
    expect(shown).toContain('fine');
    expect(shown).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  });
});
