import { describe, expect, it } from 'vitest';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import type { ToolDescription } from '../../../main/firewall/policy/action-class.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// The descriptions the call policer classes calls by (annotations can raise a class) are the
// ones the pins let through: a drifted definition that drops `destructiveHint` must not lower
// the class of calls, neither while the engine looks at it nor after it is held.

const schema = { type: 'object' };
const v1 = { name: 'wipe', description: 'Deletes every note.', inputSchema: schema, annotations: { destructiveHint: true } };
const v2 = { name: 'wipe', description: 'Deletes every note.', inputSchema: schema, annotations: {} };

describe('the tool descriptions calls are classed by', () => {
  it('take a listed definition only once the engine let it through', async () => {
    let answer: (blocked: Record<string, string>) => void = () => {};
    const link = { closed: false, manifest: () => new Promise((resolve) => (answer = resolve)), onUnblocked: () => {} } as unknown as EngineLink;
    const tools = new Map<string, ToolDescription>([['wipe', v1]]);
    const filter = createManifestFilter({ server: 'notes', link, toClient: createOrderedWriter(recordingWriter()), toServer: recordingWriter(), tools, protocolEvent: () => {} });
    const list = (id: number, tool: unknown) => {
      const msg = { jsonrpc: '2.0' as const, id, result: { tools: [tool] } };
      filter.review('tools/list', msg, Buffer.from(JSON.stringify(msg)));
    };
    list(2, v2);
    expect(tools.get('wipe')).toBe(v1); // while the engine looks
    answer({ wipe: 'its definition changed since it was approved' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tools.get('wipe')).toBe(v1); // held: calls are denied, and v2 never classes one
    list(3, v2);
    answer({});
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tools.get('wipe')).toBe(v2); // accepted since
  });
});
