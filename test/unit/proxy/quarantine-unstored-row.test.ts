import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { DEFAULT_OUTPUT_THRESHOLDS } from '../../../main/firewall/output/verdict.js';
import { ENGINE_GONE, type EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { createOutputStage } from '../../../main/firewall/proxy/output-stage.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// The QUARANTINE ratio gate counts QUARANTINE rows. The engine writes the row of a result it
// was asked to hold (stored or not); one it never answered about is the shim's to write.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function stageWith(quarantine: () => Promise<string>) {
  const client = recordingWriter();
  const rows: AuditEntry[] = [];
  const link = { quarantine, onReleased: () => {}, onReleaseTaken: () => {}, event: (e: AuditEntry) => rows.push(e), record: (e: AuditEntry) => rows.push(e), flush: () => {} } as unknown as EngineLink;
  const stage = createOutputStage({ link, toClient: createOrderedWriter(client), thresholds: () => ({ ...DEFAULT_OUTPUT_THRESHOLDS, quarantineSecretCount: 2 }), row: (_call, fields) => ({ event: 'result', argsDigest: 'd', ...fields }) });
  // Two different cloud secrets: quarantine, not redaction.
  const line = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc and AKIAZ3MUOHLQ4XPRTN2W' }] } });
  const deliver = () => stage.deliver({ id: 3, tool: 'read_env', argsDigest: 'd', info: {} as never }, { raw: Buffer.from(line), text: line, failed: false }, 1);
  return { client, rows, deliver };
}

describe('a quarantined result the engine did not store', () => {
  it('leaves a QUARANTINE row when the engine does not answer in time', async () => {
    const { client, rows, deliver } = stageWith(() => new Promise(() => {}));
    expect(deliver()).toBe(false);
    expect(rows).toEqual([]);
    vi.advanceTimersByTime(30_000);
    expect(client.sent).toHaveLength(1);
    expect(rows).toEqual([
      expect.objectContaining({ event: 'result', decision: 'QUARANTINE', ruleId: 'output-quarantine', argsDigest: 'd', reason: expect.stringMatching(/^withheld and not kept: the engine did not answer within 30 s/) }),
    ]);
  });

  it('leaves a QUARANTINE row when the engine went away before answering', async () => {
    const { rows, deliver } = stageWith(() => Promise.reject(new Error(ENGINE_GONE)));
    deliver();
    await vi.advanceTimersByTimeAsync(0);
    expect(rows).toEqual([expect.objectContaining({ decision: 'QUARANTINE', reason: `withheld and not kept: ${ENGINE_GONE}` })]);
  });

  it('leaves the row to the engine when the engine answers that it could not store it', async () => {
    const { client, rows, deliver } = stageWith(() => Promise.reject(new Error('the quarantine is full: …')));
    deliver();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.sent).toHaveLength(1);
    expect(rows).toEqual([]);
  });
});
