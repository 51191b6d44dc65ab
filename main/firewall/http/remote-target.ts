import type { AuditEntry } from '../audit/audit-log.js';
import type { Engine } from '../engine.js';
import { ErrorCode, errorResponse, type JsonRpcId } from '../jsonrpc/messages.js';
import { pinnedRemote, remoteUrlProblem, shownFingerprint, type RemotePin } from '../registry/registry.js';
import { shownUrl } from '../shown-url.js';
import { argWord } from '../shell-word.js';

export type RemoteTarget = { pin: RemotePin } | { refusal: (id: JsonRpcId) => string };

/**
 * Which URL `/mcp/NAME` reaches: the one pinned by `registry approve NAME --url URL
 * [--sse]`, and no other, over the transport pinned with it. The client never names the upstream, so a client config cannot point a
 * registered name somewhere else; the relay's admission still checks the pin (drift,
 * disabled). A name with no URL pin is refused here, with the command that fixes it.
 */
export function resolveRemoteTarget(engine: Engine, server: string, client: string, record: (entry: AuditEntry) => void = (entry) => engine.record(entry)): RemoteTarget {
  const entry = engine.registry.get(server);
  const pin = pinnedRemote(entry?.fingerprint ?? null);
  // Checked again here, not only at `approve --url`: a pin written any other way (an
  // older store, an approved proposal) must not send the credential over plain http.
  const unsafe = pin ? remoteUrlProblem(pin.url) : null;
  if (pin && !unsafe) return { pin };
  if (pin && unsafe) {
    // The problem names the URL as shownUrl shows it (remoteUrlProblem): no key, no password.
    const reason = `remote server '${server}' is pinned to an unusable URL: ${unsafe}`;
    record({ event: 'registry', decision: 'DENY', ruleId: 'registry-unsafe-url', serverName: server, client, actorId: client, method: 'initialize', reason });
    return { refusal: (id) => errorResponse(id, ErrorCode.FirewallUnavailable, `MCP Firewall refused ${reason}. To fix it: mcp-firewall registry approve --url URL ${argWord(server)}`, { server }) };
  }
  // A URL `protect` routed waits as the proposal: a bare approve pins exactly that one.
  const proposed = pinnedRemote(engine.registry.pending(server) ?? null);
  const fix = proposed ? `mcp-firewall registry approve ${argWord(server)}` : `mcp-firewall registry approve --url URL ${argWord(server)}`;
  const why = !entry
    ? `'${server}' is not in the approved registry (shadow server)`
    : entry.fingerprint
      ? `'${server}' is registered as a local server (${shownFingerprint(entry.fingerprint)}), not with a URL`
      : `'${server}' is registered without a URL`;
  const reason = `remote server ${why}`;
  record({ event: 'registry', decision: 'DENY', ruleId: entry ? 'registry-no-url' : 'registry-shadow', serverName: server, client, actorId: client, method: 'initialize', reason });
  // Which transport the server speaks is not something a client's request can tell us.
  const message = proposed
    ? `MCP Firewall refused remote server '${server}': ${why}; its URL ${shownUrl(proposed.url)} waits for approval. To allow it: ${fix}`
    : `MCP Firewall refused remote server '${server}': ${why}. To allow it: ${fix} (add --sse if the server speaks the legacy HTTP+SSE transport)`;
  return { refusal: (id) => errorResponse(id, ErrorCode.FirewallUnavailable, message, { server, fix }) };
}
