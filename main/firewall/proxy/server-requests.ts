import { ErrorCode, errorResponse, idKey, replyIdOf, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { PeerWriter } from './peer-writer.js';

/**
 * How many of a server's requests may wait for the client's answer at once. Past it a new one
 * is refused, not an old one forgotten: a forgotten request's answer would pass unchecked.
 */
export const MAX_OUTSTANDING = 1024;
/**
 * Requests the server cancelled: MCP says the client need not answer them, so they may stay
 * unanswered for good. Kept apart (a late answer is still checked as its request's) and
 * bounded on their own, so a few cancellations never fill the table for the requests to come.
 */
const MAX_CANCELLED = 4096;

export interface ServerRequestsContext {
  server: string;
  toServer: PeerWriter;
  protocolEvent: (reason: string) => void;
}

/**
 * The server's requests to the client (sampling, elicitation, roots, pings) that wait for
 * the client's answer. An answer is matched to its request by id alone, and ids are the
 * server's to pick: two requests in flight under one id (a ping and a sampling, or the
 * same sampling twice) would let the client's second answer — the one holding the model's
 * text — pass as the answer to nothing, or as the ping's. So every request is remembered,
 * not only those whose answers are checked, and one whose id is taken is refused.
 */
export interface ServerRequests {
  /** A server request on its way to the client: false when refused here (the server has an error instead). */
  asked(message: JsonRpcMessage, text: string): boolean;
  /** The method of the outstanding request `message` answers; undefined when it answers none. */
  answering(message: unknown): string | undefined;
  /** The server has its answer (or an error of ours instead): the id is free again. */
  settle(message: Pick<JsonRpcMessage, 'id'>): void;
}

// Parsed JSON, not always an object (`null`, a bare string): such a line is no answer.
const isAnswer = (m: unknown): m is JsonRpcMessage & { id: NonNullable<JsonRpcMessage['id']> } =>
  !!m && typeof m === 'object' && (m as JsonRpcMessage).method === undefined && (m as JsonRpcMessage).id !== undefined && (m as JsonRpcMessage).id !== null;

export function createServerRequests(ctx: ServerRequestsContext): ServerRequests {
  const outstanding = new Map<string, string>();
  // Keys of `outstanding` the server cancelled, oldest first.
  const cancelled = new Set<string>();
  const cancel = (message: JsonRpcMessage) => {
    const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const key = idKey(requestId);
    if (outstanding.has(key)) cancelled.add(key);
  };

  const refuse = (message: JsonRpcMessage, text: string, named: string, why: string, logged: string) => {
    ctx.toServer.send(errorResponse(replyIdOf(message.id ?? null, text), ErrorCode.InvalidRequest, `Invalid Request: MCP Firewall refused a ${named} ${why}; it was not sent to the client`));
    ctx.protocolEvent(`server sent ${named} ${logged}; refused`);
    return false;
  };

  return {
    asked(message, text) {
      // Notifications (most of what a server sends unasked) are answered by no one.
      if (!message || typeof message !== 'object' || message.id === undefined) {
        if (message?.method === 'notifications/cancelled' && outstanding.size > 0) cancel(message);
        return true;
      }
      const named = JSON.stringify(String(message.method).slice(0, 64));
      // No answer could be matched to it: the client's would pass as an answer to nothing.
      if (message.id === null) return refuse(message, text, named, 'with a null id (an MCP request has a string or a number)', 'with a null id');
      const key = idKey(message.id);
      if (outstanding.has(key)) return refuse(message, text, named, 'whose id is already used by one in flight', 'under an id already in flight');
      // Nothing is forgotten to make room (a forgotten request's answer would pass unchecked):
      // past either bound, new requests are refused.
      if (cancelled.size >= MAX_CANCELLED) {
        return refuse(message, text, named, `while ${MAX_CANCELLED} requests '${ctx.server}' cancelled still wait for the client's late answer`, `while ${MAX_CANCELLED} of its cancelled requests waited for the client's late answer`);
      }
      if (outstanding.size - cancelled.size >= MAX_OUTSTANDING) {
        return refuse(message, text, named, `while ${MAX_OUTSTANDING} requests of '${ctx.server}' wait for the client's answer`, `while ${MAX_OUTSTANDING} of its requests waited for the client's answer`);
      }
      outstanding.set(key, typeof message.method === 'string' ? message.method : named);
      return true;
    },

    // Most sessions never see a server request: their answers cost one size check.
    answering: (message) => (outstanding.size === 0 || !isAnswer(message) ? undefined : outstanding.get(idKey(message.id))),

    settle(message) {
      if (message.id === undefined || message.id === null) return;
      const key = idKey(message.id);
      outstanding.delete(key);
      cancelled.delete(key);
    },
  };
}
