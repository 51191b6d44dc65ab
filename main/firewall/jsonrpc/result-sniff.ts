import type { JsonRpcId } from './messages.js';

/** Below this size JSON.parse costs less than the sniff plus a fallback would. */
export const SNIFF_MIN_BYTES = 2048;

// The two layouts servers write: the TypeScript SDK puts `result` first and the id last,
// most others put `jsonrpc` and `id` first. Ids with escapes, exponents or whitespace
// around them do not match, and the caller parses as before.
const ID = String.raw`(-?\d{1,15}|"[^"\\\u0000-\u001f]{0,256}")`;
const HEAD = new RegExp(String.raw`^\{"jsonrpc":"2\.0","id":${ID},"result":`);
const TAIL = new RegExp(String.raw`,"id":${ID}\}$`);
const TAIL_CHARS = 300;

/**
 * The id of a JSON-RPC success response, read from its first or last bytes without
 * parsing the (large) result in between; undefined when the line is not laid out in a way
 * this can be sure of. Sound for valid JSON: an unescaped `,"id":N}` at the very end can
 * only be the top-level object's last member (a quote inside a string is always `\"`).
 * The caller still runs the output stage over the whole line.
 */
export function sniffResultId(line: string): JsonRpcId | undefined {
  let token: string | undefined;
  if (line.startsWith('{"result":')) token = TAIL.exec(line.length > TAIL_CHARS ? line.slice(-TAIL_CHARS) : line)?.[1];
  else if (line.startsWith('{"jsonrpc":"2.0","id":')) token = HEAD.exec(line)?.[1];
  return token === undefined ? undefined : tokenValue(token);
}

const KEYED_HEAD = new RegExp(String.raw`^\{"jsonrpc":"2\.0","id":${ID},"(result|error|method)":`);

export type EdgeKind = { kind: 'request' | 'response'; id: JsonRpcId } | { kind: 'other' };

/**
 * What a JSON-RPC message too large to read whole is, from its first and last bytes alone:
 * a request or a response, and its id — `"id"` right after `"jsonrpc"` at the start, or as
 * the last member at the end (a `,"id":N}` at the very end cannot belong to a nested
 * object, whose closing brace would follow it). `other` when the edges do not say (a
 * notification, another layout). Used only to tell whom an error about it goes to.
 */
export function sniffEdges(head: string, tail: string): EdgeKind {
  const keyed = KEYED_HEAD.exec(head);
  if (keyed) return { kind: keyed[2] === 'method' ? 'request' : 'response', id: tokenValue(keyed[1]!) };
  const last = TAIL.exec(tail)?.[1];
  if (last === undefined) return { kind: 'other' };
  if (head.startsWith('{"result":') || head.startsWith('{"error":')) return { kind: 'response', id: tokenValue(last) };
  if (head.startsWith('{"method":') || head.startsWith('{"jsonrpc":"2.0","method":')) return { kind: 'request', id: tokenValue(last) };
  return { kind: 'other' };
}

/** A matched id token as the id it spells: a string without its quotes, or a number. */
function tokenValue(token: string): JsonRpcId {
  return token.charCodeAt(0) === 0x22 ? token.slice(1, -1) : Number(token);
}
