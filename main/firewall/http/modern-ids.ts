import type { JsonRpcId } from '../jsonrpc/messages.js';
import { SUBSCRIPTION_ID_META } from './modern-envelope.js';

// A 2026-07-28 client's requests are relayed under ids of the firewall's own (modern-session.ts
// says why), and their answers go back under the client's: the id is put back by its place at
// the message's edge, so a large answer is not parsed and written again for it.

/**
 * `line` (one message answering relay id `relayId`) under `clientId` instead. The id is found
 * at either edge where the SDKs write it (`{"jsonrpc":"2.0","id":N,` first, or `,"id":N}`
 * last: for valid JSON an unescaped `,"id":N}` at the very end can only be the top-level
 * object's); any other layout is parsed and written again.
 */
export function withClientId(line: string, relayId: number, clientId: JsonRpcId): string {
  const ours = String(relayId);
  const theirs = JSON.stringify(clientId);
  const tail = `,"id":${ours}}`;
  if (line.endsWith(tail)) return `${line.slice(0, -tail.length)},"id":${theirs}}`;
  const head = `{"jsonrpc":"2.0","id":${ours},`;
  if (line.startsWith(head)) return `{"jsonrpc":"2.0","id":${theirs},${line.slice(head.length)}`;
  try {
    const message = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify({ ...message, id: clientId });
  } catch {
    // Not one message the relay would write: nothing of the client's to put back.
    return line;
  }
}

/**
 * `line` with the subscription it belongs to named as the client named it. A server names a
 * subscriptions/listen stream by the listen request's id (in `_meta`, on every notification it
 * sends there and on the answer that ends it), which was the firewall's relay id; a message
 * that names no subscription (the firewall's own list_changed, after an accept) is given the
 * stream's. Only small messages carry it: this one is parsed.
 */
export function withSubscription(line: string, relayId: number, clientId: JsonRpcId): string {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return line;
  const part = message.method !== undefined ? 'params' : 'result';
  const body = message[part];
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) return line;
  const meta = ((body as Record<string, unknown> | undefined)?._meta ?? {}) as Record<string, unknown>;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return line;
  const named = meta[SUBSCRIPTION_ID_META];
  // One naming another subscription is not this stream's to rename.
  if (named !== undefined && named !== relayId && named !== String(relayId)) return line;
  if (part === 'result' && body === undefined) return line;
  return JSON.stringify({ ...message, [part]: { ...(body as Record<string, unknown> | undefined), _meta: { ...meta, [SUBSCRIPTION_ID_META]: clientId } } });
}
