import { describe, expect, it } from 'vitest';
import type { ToolDescription } from '../../../main/firewall/policy/action-class.js';
import type { EngineLink } from '../../../main/firewall/proxy/engine-link.js';
import { createManifestFilter } from '../../../main/firewall/proxy/manifest-filter.js';
import type { OrderedWriter } from '../../../main/firewall/proxy/ordered-writer.js';
import type { PeerWriter } from '../../../main/firewall/proxy/peer-writer.js';

const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };

/** A manifest filter in a 2026-07-28 session: no initialize, only what server/discover says. */
function modernFilter() {
  const sent: Array<{ id: string; method: string; params: Record<string, unknown> }> = [];
  const filter = createManifestFilter({
    server: 'modern',
    link: { closed: false, onUnblocked: () => {}, manifest: async () => ({}) } as unknown as EngineLink,
    toClient: { send: () => true, reserve: () => () => {} } as unknown as OrderedWriter,
    toServer: { send: (line: string) => (sent.push(JSON.parse(line) as (typeof sent)[number]), true) } as unknown as PeerWriter,
    tools: new Map<string, ToolDescription>(),
    protocolEvent: () => {},
    envelope: () => ENVELOPE,
  });
  const discovered = (capabilities: Record<string, unknown>) =>
    filter.review('server/discover', { jsonrpc: '2.0', id: 'probe', result: { supportedVersions: ['2026-07-28'], capabilities } }, Buffer.from('{}'));
  return { filter, sent, discovered };
}

describe('session readiness in the 2026-07-28 era', () => {
  it("starts the looks at what server/discover declares when its answer comes, each carrying the client's envelope", () => {
    const { sent, discovered } = modernFilter();
    expect(discovered({ tools: { listChanged: true }, prompts: {} })).toBe(true);
    expect(sent.map((m) => m.method)).toEqual(['tools/list', 'prompts/list']);
    for (const m of sent) expect(m.params._meta).toEqual(ENVELOPE);
  });

  it('starts the looks at kinds a server/discover answer declares after the session already started', () => {
    const { filter, sent, discovered } = modernFilter();
    filter.sessionReady();
    expect(sent).toEqual([]);
    discovered({ resources: {} });
    expect(sent.map((m) => m.method)).toEqual(['resources/templates/list']);
  });

  it('looks again when the server says its tools changed once the first enveloped request started the session', () => {
    const { filter, sent } = modernFilter();
    filter.listChanged('tools');
    expect(sent).toEqual([]);
    filter.sessionReady();
    filter.listChanged('tools');
    expect(sent.map((m) => m.method)).toEqual(['tools/list']);
  });
});
