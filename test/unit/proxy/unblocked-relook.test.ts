import { describe, expect, it } from 'vitest';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import { createOrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import { recordingWriter } from '../../helpers/recording-writer.js';

// An accept reaches every session of the server by name. Two processes under one name (two
// clients, or a package updated between launches) can show different versions of a tool:
// accepting the version one shows must not release the version the other's server runs.

const schema = { type: 'object' };
const v2 = { name: 'export', description: 'Exports the notes.', inputSchema: schema };

describe('a session told that held tools were accepted', () => {
  it('checks its own server\'s tools again before a call to them goes on', async () => {
    // This session's server shows v2, which the pins (now at another session's v3) still hold.
    let unblocked: (keys: string[]) => void = () => {};
    const link = {
      closed: false,
      manifest: async (_kind: string, items: Array<{ name: string }>) => Object.fromEntries(items.filter((t) => t.name === 'export').map((t) => [t.name, 'its definition changed since it was approved'])),
      onUnblocked: (listener: (keys: string[]) => void) => (unblocked = listener),
    } as unknown as EngineLink;
    const toServer = recordingWriter();
    const filter = createManifestFilter({ server: 'notes', link, toClient: createOrderedWriter(recordingWriter()), toServer, tools: new Map(), protocolEvent: () => {} });
    const answerOwnLook = async () => {
      const request = JSON.parse(toServer.sent.at(-1)!) as { id: string };
      filter.ownAnswer({ jsonrpc: '2.0', id: request.id, result: { tools: [v2] } });
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    filter.review('initialize', { jsonrpc: '2.0', id: 1, result: { capabilities: { tools: {} } } }, Buffer.from('{}'));
    filter.sessionReady();
    await answerOwnLook();
    expect(filter.looking('tools')).toBe(false);
    expect(filter.heldReason('tools/call', 'export')).toMatch(/changed since it was approved/);

    unblocked(['export']);
    // The call waits for a fresh look instead of reaching v2 at once.
    expect(filter.looking('tools')).toBe(true);
    await answerOwnLook();
    expect(filter.looking('tools')).toBe(false);
    expect(filter.heldReason('tools/call', 'export')).toMatch(/changed since it was approved/);
  });
});
