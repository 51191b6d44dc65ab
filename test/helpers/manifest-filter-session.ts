import type { ToolDescription } from '../../main/firewall/policy/action-class.js';
import type { EngineLink } from '../../main/firewall/proxy/engine-link.js';
import { createManifestFilter } from '../../main/firewall/proxy/manifest-filter.js';
import type { OrderedWriter } from '../../main/firewall/proxy/ordered-writer.js';
import type { PeerWriter } from '../../main/firewall/proxy/peer-writer.js';

export interface FilterSessionOptions {
  /** What the engine says is held (pin key → reason) of the items it is asked about; nothing by default. */
  held?: (items: Array<Record<string, unknown>>) => Record<string, string>;
  clientIdInUse?: (id: string) => boolean;
}

/**
 * A manifest filter in front of a server that declared `capabilities`, its session started:
 * `sent` collects what the filter sent the server (its own looks), `ownId(method)` the id of
 * its first request of that method, `tools` the names (and descriptions) the filter counts as listed,
 * `toClient` the answers the filter rewrote or passed on after a check.
 */
export function filterSession(server: string, capabilities: Record<string, unknown>, options: FilterSessionOptions = {}) {
  const sent: Array<{ id: string; method: string }> = [];
  const tools = new Map<string, ToolDescription>();
  const toClient: string[] = [];
  const filter = createManifestFilter({
    server,
    link: { closed: false, onUnblocked: () => {}, manifest: async (_kind: string, items: Array<Record<string, unknown>>) => options.held?.(items) ?? {} } as unknown as EngineLink,
    toClient: { send: () => true, reserve: () => (line: Buffer | string) => void toClient.push(line.toString()) } as unknown as OrderedWriter,
    toServer: { send: (line: string) => (sent.push(JSON.parse(line) as { id: string; method: string }), true) } as unknown as PeerWriter,
    tools,
    protocolEvent: () => {},
    ...(options.clientIdInUse ? { clientIdInUse: options.clientIdInUse } : {}),
  });
  filter.review('initialize', { jsonrpc: '2.0', id: 1, result: { capabilities } }, Buffer.from('{}'));
  filter.sessionReady();
  const ownId = (method: string) => sent.find((m) => m.method === method)!.id;
  return { filter, sent, ownId, tools, toClient };
}
