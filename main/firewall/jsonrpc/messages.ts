import { memberSource } from './json-scan.js';

// Minimal JSON-RPC 2.0 helpers for the relay. Ids are echoed back exactly as the client
// sent them (number, string — even ones that look like numbers), so clients that
// correlate by id type keep working.
export type JsonRpcId = string | number | null;

/** An id as its exact source text (JSON.rawJSON): JSON.stringify writes it back byte for byte. */
export interface ExactId {
  readonly rawJSON: string;
}

const { rawJSON, isRawJSON } = JSON as unknown as { rawJSON(text: string): ExactId; isRawJSON?(value: unknown): boolean };
const isExactId = (id: unknown): id is ExactId => isRawJSON?.(id) ?? false;

/** The id to answer a request with: the parsed id when JSON.stringify writes it as sent, else its source text. */
export type ReplyId = JsonRpcId | ExactId;

export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: JsonRpcId;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InternalError: -32603,
  /** The firewall is not running or refused the server: nothing was executed. */
  FirewallUnavailable: -32001,
  /** Policy or an approver denied the call. */
  PolicyDenied: -32003,
  /** The server failed: crashed, timed out or sent garbage. */
  UpstreamFailed: -32004,
} as const;

/**
 * A message JSON-RPC does not allow, which peers read differently: a method that is no
 * non-empty string (a server that looks handlers up by key runs `["tools/call"]` as
 * tools/call; to some parsers a null or empty method makes an answer), or a method beside a
 * result or an error (an answer to a client that keeps extra keys, a request to the relay).
 */
export function isAmbiguous(msg: JsonRpcMessage): boolean {
  if (msg.method === undefined) return false;
  return typeof msg.method !== 'string' || msg.method === '' || Object.hasOwn(msg, 'result') || Object.hasOwn(msg, 'error');
}

export function isRequest(msg: JsonRpcMessage): boolean {
  return typeof msg.method === 'string' && msg.id !== undefined && msg.id !== null;
}

export function errorResponse(id: ReplyId, code: number, message: string, data?: unknown): string {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

export function idKey(id: ReplyId): string {
  // Only an id of ours is raw JSON: an object a peer sent as its id is keyed as it always was.
  if (isExactId(id)) id = JSON.parse(id.rawJSON) as JsonRpcId;
  if (typeof id === 'string') return `s:${id}`;
  // An object or array is no valid id, but a peer may send one: String() throws on some.
  return id !== null && typeof id === 'object' ? `o:${JSON.stringify(id)}` : `n:${String(id)}`;
}

// Strings JSON.stringify writes as any client would: printable ASCII without `"`, `\` or
// `/` (which may be sent as `\/`). Anything else may have been written another way
// (`"\u00e9"` for `"é"`, `1e2` for 100, digits beyond 2^53), so its source is read.
const PLAIN_STRING = /^[\x20\x21\x23-\x2e\x30-\x5b\x5d-\x7e]*$/;

/** Whether JSON.stringify(value) surely gives back the text it was parsed from. */
export function isPlainValue(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && !Object.is(value, -0);
  return value === null || value === undefined || (typeof value === 'string' && PLAIN_STRING.test(value));
}


/**
 * The id of the request `text` (its source) to answer it with: cheap for plain ids; the
 * others are read from the source, so the answer carries them exactly as sent. (An
 * integer written as `1.0` or a plain string with needless escapes still comes back
 * canonical: telling them apart would cost a scan of every message.)
 */
export function replyIdOf(id: JsonRpcId, text: string): ReplyId {
  return exactSource(id, text, ['id']);
}

/**
 * A message as JSON.parse read it from `text`, written out again: its id (of a message that
 * has one) kept as `text` spells it (digits past 2^53, escapes). For a message whose own bytes
 * a client could read otherwise (a repeated key).
 */
export function writtenAsRead(msg: unknown, text: string): string {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg) || (msg as JsonRpcMessage).id === undefined) return JSON.stringify(msg);
  return JSON.stringify({ ...(msg as JsonRpcMessage), id: replyIdOf((msg as JsonRpcMessage).id ?? null, text) });
}

/**
 * `value`, found in `text` under `path`, as its exact source (a JSON primitive): `value`
 * itself when it is plain (see isPlainValue), or when its source cannot be found.
 */
export function exactSource<T>(value: T, text: string, path: string[]): T | ExactId {
  if (isPlainValue(value)) return value;
  let source: string | undefined = text;
  for (const key of path) source = source === undefined ? undefined : memberSource(source, key);
  if (source === undefined || source.charCodeAt(0) === 0x7b || source.charCodeAt(0) === 0x5b) return value;
  try {
    return rawJSON(source);
  } catch {
    return value;
  }
}
