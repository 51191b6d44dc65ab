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
  if (token === undefined) return undefined;
  return token.charCodeAt(0) === 0x22 ? token.slice(1, -1) : Number(token);
}

const ANY_HEAD = new RegExp(String.raw`^\{"jsonrpc":"2\.0","id":${ID}[,}]`);

/**
 * The id of any JSON-RPC message from its first and last bytes alone (a message too large
 * to read whole): `"id"` right after `"jsonrpc"` at the start, or as the last member at the
 * end — a `,"id":N}` at the very end cannot belong to a nested object, whose closing brace
 * would follow it. Undefined otherwise. Used only to say which request an error is for.
 */
export function sniffIdAtEdges(head: string, tail: string): JsonRpcId | undefined {
  const token = ANY_HEAD.exec(head)?.[1] ?? TAIL.exec(tail)?.[1];
  if (token === undefined) return undefined;
  return token.charCodeAt(0) === 0x22 ? token.slice(1, -1) : Number(token);
}
