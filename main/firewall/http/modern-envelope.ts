import type { JsonRpcMessage } from '../jsonrpc/messages.js';

// MCP 2026-07-28 (the stateless revision): every request names its protocol version,
// client and client capabilities in `params._meta` (the envelope), and over Streamable
// HTTP repeats what routes it in headers a server checks against the body (SEP-2243).

export const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_INFO_META = 'io.modelcontextprotocol/clientInfo';
export const CLIENT_CAPABILITIES_META = 'io.modelcontextprotocol/clientCapabilities';
/** Names the subscriptions/listen request a notification on its stream belongs to (its id). */
export const SUBSCRIPTION_ID_META = 'io.modelcontextprotocol/subscriptionId';

/** The first revision without sessions; later ones are dates after it, and compare as text. */
export const FIRST_MODERN_VERSION = '2026-07-28';
export const LISTEN_METHOD = 'subscriptions/listen';
/** JSON-RPC error a 2026-07-28 server answers when a request's headers and body disagree. */
export const HEADER_MISMATCH = -32020;

export const VERSION_HEADER = 'mcp-protocol-version';
export const METHOD_HEADER = 'mcp-method';
export const NAME_HEADER = 'mcp-name';
/** A tool's `x-mcp-header` arguments, mirrored by the client as `Mcp-Param-{Name}`. */
export const PARAM_HEADER_PREFIX = 'mcp-param-';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isModernVersion(version: unknown): version is string {
  return typeof version === 'string' && DATE.test(version) && version >= FIRST_MODERN_VERSION;
}

/** The envelope's three keys as the client sent them (the firewall's own requests borrow them). */
export type Envelope = Record<string, unknown>;

/** The `_meta` of a message's params, when it is an object. */
function metaOf(message: JsonRpcMessage): Record<string, unknown> | undefined {
  const params = message.params;
  if (!params || typeof params !== 'object' || Array.isArray(params)) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined;
}

/** The protocol version a message's envelope claims, if any. */
export function claimedVersion(message: JsonRpcMessage): unknown {
  return metaOf(message)?.[PROTOCOL_VERSION_META];
}

/** The envelope of a message that claims a modern revision, else undefined. */
export function envelopeOf(message: JsonRpcMessage): Envelope | undefined {
  const meta = metaOf(message);
  if (!meta || !isModernVersion(meta[PROTOCOL_VERSION_META])) return undefined;
  const envelope: Envelope = { [PROTOCOL_VERSION_META]: meta[PROTOCOL_VERSION_META] };
  if (meta[CLIENT_INFO_META] !== undefined) envelope[CLIENT_INFO_META] = meta[CLIENT_INFO_META];
  if (meta[CLIENT_CAPABILITIES_META] !== undefined) envelope[CLIENT_CAPABILITIES_META] = meta[CLIENT_CAPABILITIES_META];
  return envelope;
}

/** The clientInfo.name of a modern envelope ('' when it names none). */
export function clientNameOf(envelope: Envelope): string {
  const name = (envelope[CLIENT_INFO_META] as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

/**
 * Whether a POST without a session speaks the stateless revision: a message's envelope
 * claims it, or the MCP-Protocol-Version header names it (a notification may carry only that).
 */
export function isModernPost(messages: JsonRpcMessage[], versionHeader: unknown): boolean {
  return isModernVersion(versionHeader) || messages.some((m) => isModernVersion(claimedVersion(m)));
}

/** Which body field `Mcp-Name` mirrors, by method (SEP-2243; tasks/* from SEP-2663). */
const NAME_SOURCE: Record<string, string> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/** The value `Mcp-Name` must carry for a request, or undefined when its method has none. */
export function nameOf(message: JsonRpcMessage): string | undefined {
  const method = message.method;
  if (typeof method !== 'string' || !Object.hasOwn(NAME_SOURCE, method)) return undefined;
  const params = message.params;
  const value = params && typeof params === 'object' ? (params as Record<string, unknown>)[NAME_SOURCE[method]!] : undefined;
  return typeof value === 'string' ? value : undefined;
}

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';

/** A header value as the spec writes it: plain printable ASCII as is, anything else as `=?base64?…?=`. */
export function encodeHeaderValue(value: string): string {
  const plain = value.length > 0 && value === value.trim() && !(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX)) && /^[\t\x20-\x7e]*$/.test(value);
  return plain ? value : `${SENTINEL_PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${SENTINEL_SUFFIX}`;
}

/** A header value as the spec reads it; undefined when its sentinel does not hold base64 of UTF-8. */
export function decodeHeaderValue(value: string): string | undefined {
  const trimmed = value.replace(/^[\t ]+|[\t ]+$/g, '');
  if (!(trimmed.startsWith(SENTINEL_PREFIX) && trimmed.endsWith(SENTINEL_SUFFIX))) return trimmed;
  const b64 = trimmed.slice(SENTINEL_PREFIX.length, -SENTINEL_SUFFIX.length);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * The standard headers of a modern request, written from its body: the version its envelope
 * claims, its method and the name it acts on. Written from the body the firewall sends, never
 * copied from the client's request: what routes the request upstream is what was policed.
 */
export function standardHeaders(message: JsonRpcMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const version = claimedVersion(message);
  if (typeof version === 'string') headers[VERSION_HEADER] = version;
  if (typeof message.method === 'string') headers[METHOD_HEADER] = message.method;
  const name = nameOf(message);
  if (name !== undefined) headers[NAME_HEADER] = encodeHeaderValue(name);
  return headers;
}

/**
 * Why a client's standard headers disagree with its request's body, or null. A server must
 * refuse such a request (-32020); so does the firewall, which decided on the body: the
 * client must not believe a request ran as its headers described it.
 */
export function headerMismatch(message: JsonRpcMessage, headers: Record<string, string | string[] | undefined>): string | null {
  const version = headers[VERSION_HEADER];
  const claimed = claimedVersion(message);
  if (typeof version === 'string' && typeof claimed === 'string' && version !== claimed) return `the body envelope names protocol version ${claimed} but the MCP-Protocol-Version header names ${version}`;
  const method = headers[METHOD_HEADER];
  if (typeof method === 'string' && method !== message.method) return `the body names method ${String(message.method)} but the Mcp-Method header names ${method}`;
  const name = headers[NAME_HEADER];
  const bodyName = nameOf(message);
  if (typeof name === 'string' && bodyName !== undefined && decodeHeaderValue(name) !== bodyName) return `the body names ${JSON.stringify(bodyName)} but the Mcp-Name header names ${JSON.stringify(name)}`;
  return null;
}

/** A header name the HTTP grammar (RFC 9110 token) allows after the `Mcp-Param-` prefix. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** More would be no tool's arguments: a client cannot make every upstream request carry a flood of them. */
const MAX_PARAM_HEADERS = 64;

/**
 * The client's `Mcp-Param-*` headers, to go upstream with its request. The firewall allows or
 * refuses a call but never changes its arguments, so they still mirror the body sent; a server
 * checks them against it all the same (-32020 on a mismatch).
 */
export function paramHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(PARAM_HEADER_PREFIX) || typeof value !== 'string' || !TOKEN.test(name)) continue;
    if (++count > MAX_PARAM_HEADERS) break;
    out[name] = value;
  }
  return out;
}
