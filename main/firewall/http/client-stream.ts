import type { ServerResponse } from 'node:http';
import { arrayMembers } from '../jsonrpc/json-scan.js';
import { errorResponse, type JsonRpcId } from '../jsonrpc/messages.js';
import { untilDrained, type Backpressure } from './backpressure.js';

// The client side of one Streamable HTTP exchange: an SSE stream (a POST's answer or the
// GET stream) or a POST answered as one JSON body.

export const SESSION_HEADER = 'mcp-session-id';

export function openEventStream(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-store', connection: 'keep-alive', ...headers });
  res.flushHeaders();
}

/** Sends one message as an event; when the client is not keeping up, what to wait for before sending more. */
export function writeEvent(res: ServerResponse, line: string): Backpressure {
  return res.write(`event: message\ndata: ${line}\n\n`) ? undefined : untilDrained(res);
}

export function isOpen(res: ServerResponse): boolean {
  return !res.writableEnded && !res.destroyed;
}

/** A POST that carried requests, waiting for their answers. */
export interface PendingPost {
  res: ServerResponse;
  /** The client accepts only application/json: answers are gathered into one body. */
  json: boolean;
  batch: boolean;
  waiting: Map<string, JsonRpcId>;
  collected: string[];
  /** What `collected` holds of the server's answer budget (given back once the body is sent). */
  collectedBytes: number;
  /** The progress tokens its requests named (idKey form): their progress rides on this stream. */
  progressTokens: string[];
}

/** Ends a POST whose requests are all answered; `sessionId`: none for a stateless (2026-07-28) client. */
export function finishPost(post: PendingPost, sessionId: string | null): void {
  if (!isOpen(post.res)) return;
  if (!post.json) return void post.res.end();
  const session: Record<string, string> = sessionId === null ? {} : { [SESSION_HEADER]: sessionId };
  // Every request of it was cancelled: nothing to answer with.
  if (post.collected.length === 0) {
    post.res.writeHead(202, session);
    return void post.res.end();
  }
  // Joined as text, never parsed and written again: JSON.stringify recurses, and a server's
  // answer nested a few hundred thousand deep (a megabyte of brackets), which the output
  // stage passes clean, threw here on the relay's write path and took the engine down with
  // every session. As text, the client also gets the answer as the SSE path sends it.
  const members = post.collected.flatMap((line) => arrayMembers(line) ?? [line]);
  const body = post.batch ? `[${members.join(',')}]` : (members[0] ?? 'null');
  post.res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...session });
  // The last write: it needs no drain, and the body was whole in memory anyway.
  post.res.end(body);
}

/** Answers a request that cannot be taken with an HTTP status and a JSON-RPC error body. */
export function failRequest(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(errorResponse(null, code, message));
}
