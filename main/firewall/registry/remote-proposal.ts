import type { AuditLog } from '../audit/audit-log.js';
import { shownUrl } from '../shown-url.js';
import { pinnedRemote, remoteFingerprint, sameFingerprint, shownFingerprint, type Registry, type RemotePin } from './registry.js';
import { argWord } from '../shell-word.js';

/**
 * Where a remote server found in a client config stands with the registry, before
 * `protect` routes it through `/mcp/NAME`:
 * - approved: the URL is already pinned for NAME (disabled ones say so);
 * - pending: a person still has to approve it; `proposeRemote` leaves the URL as the
 *   proposal so that `registry approve NAME` pins exactly that URL;
 * - conflict: the registry (or a waiting proposal) says something else for NAME. Routing
 *   would send the client to whatever NAME is pinned to, not the server it configured,
 *   so this is drift for a person to look at and nothing is changed.
 */
export type RemoteStanding =
  | { kind: 'approved'; enabled: boolean }
  | { kind: 'pending' }
  | { kind: 'conflict'; reason: string };

/** A remote server as a client config names it; a bare URL is a Streamable HTTP one. */
export type RemoteAddress = string | RemotePin;

function pinOf(address: RemoteAddress): RemotePin {
  return typeof address === 'string' ? { url: address, transport: 'http' } : address;
}

export function remoteStanding(registry: Pick<Registry, 'get' | 'pending'>, name: string, address: RemoteAddress): RemoteStanding {
  const { url, transport } = pinOf(address);
  const wanted = remoteFingerprint(url, transport);
  const entry = registry.get(name);
  if (entry?.fingerprint) {
    if (sameFingerprint(entry.fingerprint, wanted)) return { kind: 'approved', enabled: entry.enabled };
    const pinned = pinnedRemote(entry.fingerprint);
    const reason = !pinned
      ? `registered as a local server (${shownFingerprint(entry.fingerprint)})`
      : pinned.url !== url
        ? `registered with another URL (${shownUrl(pinned.url)})`
        : `registered with the other transport (${shownFingerprint(entry.fingerprint)})`;
    return { kind: 'conflict', reason };
  }
  // Unknown, or approved by name only: `approve NAME` pins the pending launch either way.
  const waiting = registry.pending(name);
  if (waiting && !sameFingerprint(waiting, wanted)) {
    return { kind: 'conflict', reason: `another launch waits for approval under this name (${shownFingerprint(waiting)})` };
  }
  return { kind: 'pending' };
}

/** Leaves the URL as NAME's proposal and audits it: a route now exists that waits for a person. */
export function proposeRemote(registry: Pick<Registry, 'propose'>, audit: Pick<AuditLog, 'append'>, name: string, address: RemoteAddress, client: string): void {
  const { url, transport } = pinOf(address);
  registry.propose(name, remoteFingerprint(url, transport), client);
  audit.append({
    event: 'registry', decision: 'PROPOSED', actorId: 'protect', client, serverName: name, ruleId: 'remote-proposal',
    reason: `remote entry routed through the firewall; its URL ${shownUrl(url)}${transport === 'sse' ? ' (legacy SSE)' : ''} waits for \`mcp-firewall registry approve ${argWord(name)}\``,
  });
}
