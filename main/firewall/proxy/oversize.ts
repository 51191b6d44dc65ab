import type { LineLimit } from '../jsonrpc/line-splitter.js';
import { ErrorCode, errorResponse, notification, type JsonRpcId } from '../jsonrpc/messages.js';
import { sniffEdges, type EdgeKind } from '../jsonrpc/result-sniff.js';
import type { PeerWriter } from './peer-writer.js';

/**
 * The largest message the shim reads, either way. Every message is held whole to be
 * policed, so without a bound a server (or client) that writes without ever ending a line
 * would grow the shim until the machine runs out of memory. 64 MiB is far above any real
 * MCP message (a 20 MB image is ~27 MB of base64) and well inside Node's heap.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface OversizeContext {
  server: string;
  toClient: PeerWriter;
  toServer: PeerWriter;
  /** Fails the request with this id, if one is pending, with `reason`; false when none is. */
  failPending(id: JsonRpcId, reason: string): boolean;
  protocolEvent(reason: string): void;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function edgeKind(edges: { head: Buffer; tail: Buffer }): EdgeKind {
  return sniffEdges(edges.head.toString('utf8'), edges.tail.toString('utf8'));
}

/**
 * A message from the server over the limit is dropped. The client request it answered
 * fails; a request of the server's own (sampling, elicitation) is answered with an error,
 * so the server does not wait for it.
 */
export function serverMessageLimit(ctx: OversizeContext): LineLimit {
  return {
    maxLineBytes: MAX_MESSAGE_BYTES,
    onOverflow(edges, bytes) {
      const reason = `MCP Firewall dropped a message of ${megabytes(bytes)} from '${ctx.server}': larger than the ${megabytes(MAX_MESSAGE_BYTES)} it checks`;
      const seen = edgeKind(edges);
      if (seen.kind === 'request') ctx.toServer.send(errorResponse(seen.id, ErrorCode.InvalidRequest, reason));
      else if (seen.kind !== 'response' || !ctx.failPending(seen.id, reason)) {
        ctx.toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: reason }));
      }
      ctx.protocolEvent(reason);
    },
  };
}

/**
 * A message from the client over the limit never reaches the server. A request gets an
 * error; an answer to a request of the server's gets one on the server's side instead, so
 * neither waits for what will not come.
 */
export function clientMessageLimit(ctx: OversizeContext): LineLimit {
  return {
    maxLineBytes: MAX_MESSAGE_BYTES,
    onOverflow(edges, bytes) {
      const reason = `MCP Firewall refused a message of ${megabytes(bytes)}: larger than the ${megabytes(MAX_MESSAGE_BYTES)} it checks; it was not sent to '${ctx.server}'`;
      const seen = edgeKind(edges);
      if (seen.kind === 'response') ctx.toServer.send(errorResponse(seen.id, ErrorCode.InvalidRequest, reason));
      else ctx.toClient.send(errorResponse(seen.kind === 'request' ? seen.id : null, ErrorCode.InvalidRequest, reason));
      ctx.protocolEvent(reason);
    },
  };
}
