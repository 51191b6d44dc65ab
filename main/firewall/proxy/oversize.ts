import type { LineLimit } from '../jsonrpc/line-splitter.js';
import { ErrorCode, errorResponse, notification, type JsonRpcId } from '../jsonrpc/messages.js';
import { sniffIdAtEdges } from '../jsonrpc/result-sniff.js';
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
  /** Fails the request with this id, if one is pending, with `reason`; false when none is. */
  failPending(id: JsonRpcId, reason: string): boolean;
  protocolEvent(reason: string): void;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function edgeId(edges: { head: Buffer; tail: Buffer }): JsonRpcId | undefined {
  return sniffIdAtEdges(edges.head.toString('utf8'), edges.tail.toString('utf8'));
}

/** A message from the server over the limit is dropped; the request it answered fails. */
export function serverMessageLimit(ctx: OversizeContext): LineLimit {
  return {
    maxLineBytes: MAX_MESSAGE_BYTES,
    onOverflow(edges, bytes) {
      const reason = `MCP Firewall dropped a message of ${megabytes(bytes)} from '${ctx.server}': larger than the ${megabytes(MAX_MESSAGE_BYTES)} it checks`;
      const id = edgeId(edges);
      if (id === undefined || !ctx.failPending(id, reason)) {
        ctx.toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: reason }));
      }
      ctx.protocolEvent(reason);
    },
  };
}

/** A message from the client over the limit never reaches the server; a request gets an error. */
export function clientMessageLimit(ctx: OversizeContext): LineLimit {
  return {
    maxLineBytes: MAX_MESSAGE_BYTES,
    onOverflow(edges, bytes) {
      const reason = `MCP Firewall refused a message of ${megabytes(bytes)}: larger than the ${megabytes(MAX_MESSAGE_BYTES)} it checks; it was not sent to '${ctx.server}'`;
      ctx.toClient.send(errorResponse(edgeId(edges) ?? null, ErrorCode.InvalidRequest, reason));
      ctx.protocolEvent(reason);
    },
  };
}
