import { remoteFingerprint, remoteUrlProblem, type RemotePin, type RemoteTransport } from '../registry/registry.js';
import type { RemoteStanding } from '../registry/remote-proposal.js';
import { getIn, isRecord } from './entry-shape.js';
import { interposerUrl, routedTarget, routeMismatch } from './route-url.js';
import { findSecrets } from './secrets.js';
import type { ConfigFileSpec, DiscoveredServer, Launch, RemoteRoutes } from './types.js';
import { argWord, shellWord } from '../shell-word.js';

// A remote entry is protected by pointing its URL at the firewall's interposer (route-url.ts),
// which forwards to the URL pinned for NAME in the registry. The entry's original URL goes
// to our bookkeeping (for unprotect) and to the registry as a proposal (for `registry
// approve NAME`), never into the client file.

/** Which transport upstream an entry's client speaks: a legacy SSE entry gets an SSE pin. */
function remoteTransportOf(server: DiscoveredServer): RemoteTransport {
  return server.transport === 'sse' ? 'sse' : 'http';
}

/**
 * What an entry runs, as one comparable value: the launch of a stdio entry, the registry's
 * url fingerprint (`url URL`, `sse-url URL`) of a remote one. Bookkeeping records remote
 * entries in this form, so verify and restore compare both kinds the same way.
 */
export function entryIdentity(server: DiscoveredServer): Launch | undefined {
  return server.url !== undefined ? urlIdentity(server.url, remoteTransportOf(server)) : server.launch;
}

export function urlIdentity(url: string, transport: RemoteTransport = 'http'): Launch {
  return remoteFingerprint(url, transport);
}

/** Every key of the entry that holds its URL: all of them are rewritten, or a client preferring another key would bypass us. */
export function urlKeysOf(server: DiscoveredServer, spec: ConfigFileSpec): string[] {
  return spec.shape.urlKeys.filter((k) => typeof server.raw[k] === 'string');
}

// Client-side auth the interposer cannot carry: it sends the upstream only the keychain
// secret AUTHORIZATION, so a server needing these would break once routed.
const UNCARRIED_FIELDS = ['headersHelper', 'oauth', 'auth', 'env_http_headers'];
const TOKEN_FIELDS = ['bearer_token_env_var', 'bearer_token'];

function headerNames(server: DiscoveredServer, spec: ConfigFileSpec): string[] {
  return spec.shape.headerPaths.flatMap((p) => {
    const map = getIn(server.raw, p);
    return isRecord(map) ? Object.keys(map) : [];
  });
}

function uncarried(server: DiscoveredServer, spec: ConfigFileSpec): string[] {
  const headers = headerNames(server, spec).filter((h) => h.toLowerCase() !== 'authorization').map((h) => `header ${h}`);
  const fields = UNCARRIED_FIELDS.filter((f) => server.raw[f] !== undefined && server.raw[f] !== false);
  return [...headers, ...fields];
}

/** The client authenticates itself with a token the firewall will not forward. */
export function clientToken(server: DiscoveredServer, spec: ConfigFileSpec): boolean {
  return headerNames(server, spec).some((h) => h.toLowerCase() === 'authorization') || TOKEN_FIELDS.some((f) => server.raw[f] !== undefined);
}

export type RemoteDecision =
  | { routed: false; already: boolean; detail?: string }
  | { routed: true; pin: RemotePin; inserted: string; keys: string[]; standing: RemoteStanding };

const NOT_ROUTED = (detail: string): RemoteDecision => ({ routed: false, already: false, detail });

/** Whether and how `protect` routes one remote entry; reads the registry, changes nothing. */
export function decideRemote(server: DiscoveredServer, spec: ConfigFileSpec, remote: RemoteRoutes | undefined): RemoteDecision {
  if (!remote || server.url === undefined) return NOT_ROUTED('remote: not yet routed');
  const target = routedTarget(server.url);
  if (target && target.port === remote.port && target.key === remote.key) return { routed: false, already: true };
  // protect re-points our own routes first (stale-route.ts); any other route is never a server's URL to propose.
  if (target) return NOT_ROUTED(`${routeMismatch(target, remote)}; left as is`);
  if (server.problem !== undefined) return NOT_ROUTED(`${server.problem}; left as is`);
  const keys = urlKeysOf(server, spec);
  if (keys.some((k) => server.raw[k] !== server.url)) return NOT_ROUTED(`${keys.join(' and ')} name different URLs; left as is`);
  const problem = remoteUrlProblem(server.url);
  if (problem) return NOT_ROUTED(`${problem}; left as is`);
  if (findSecrets(server, spec).findings.some((f) => f.where === 'url')) {
    return NOT_ROUTED('the URL carries a secret, which routing would copy into the registry and the audit log; left as is');
  }
  const missing = uncarried(server, spec);
  if (missing.length > 0) {
    return NOT_ROUTED(`${missing.join(', ')} would not reach the server (the firewall sends it only the keychain secret AUTHORIZATION); left as is`);
  }
  const pin: RemotePin = { url: server.url, transport: remoteTransportOf(server) };
  const standing = remote.standing(server.name, pin);
  if (standing.kind === 'conflict') {
    const approve = `mcp-firewall registry approve --url ${shellWord(server.url)}${pin.transport === 'sse' ? ' --sse' : ''} ${argWord(server.name)}`;
    return NOT_ROUTED(`registry: ${standing.reason}; left as is (to route it: ${approve})`);
  }
  return { routed: true, pin, inserted: interposerUrl(remote.port, server.name, remote.key, pin.transport), keys, standing };
}

/** What the user still has to do for a routed entry, in the words of the CLI. */
export function standingDetail(name: string, standing: RemoteStanding): string | undefined {
  if (standing.kind === 'pending') return `approve it to connect: mcp-firewall registry approve ${argWord(name)}`;
  if (standing.kind === 'approved' && !standing.enabled) return `disabled in the registry: mcp-firewall registry enable ${argWord(name)}`;
  return undefined;
}

export function tokenHint(name: string): string {
  return `the client's token is not forwarded; store it with: mcp-firewall secrets set ${argWord(name)} AUTHORIZATION`;
}
