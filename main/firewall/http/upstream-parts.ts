import type { EventEmitter } from 'node:events';
import { Writable, type PassThrough } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { ErrorCode, errorResponse, idKey, isRequest, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { ActionClass } from '../policy/types.js';
import { createSseParser } from './sse-parser.js';

// What the two upstream adapters (Streamable HTTP in upstream.ts, legacy HTTP+SSE in
// sse-upstream.ts) have in common: the relay-facing process shape, the credential rules,
// and turning what a server sends into the relay's lines and errors.

export interface UpstreamOptions {
  /** The registry name, for error messages. */
  server: string;
  url: string;
  /** The firewall's own credential for this server (keychain secret AUTHORIZATION), sent as is. */
  authorization?: string;
  /**
   * A read-only credential (keychain secret AUTHORIZATION_READ). When there is one, only
   * a tools/call the policy classed write or destructive carries `authorization`;
   * everything else — reads, listings, initialize, the GET stream — carries this one, so a
   * read never holds a token that could write (DESIGN §6).
   */
  readAuthorization?: string;
  /** The action class the relay decided for a tools/call it is sending (by request id). */
  actionClassOf?: (id: JsonRpcId) => ActionClass | undefined;
  fetch?: typeof fetch;
}

/**
 * A remote server dressed as the child process the stdio relay drives: newline-delimited
 * JSON-RPC in on `stdin`, out on `stdout`, `kill()` and `close`. The relay
 * (proxy/shim.ts) then polices remote servers on exactly the path it polices local ones,
 * and the adapters only translate transports.
 */
export interface UpstreamProcess extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: PassThrough;
  kill(signal?: NodeJS.Signals | number): boolean;
}

export interface Credentials {
  /** For everything that is not a write: reads, listings, initialize, streams. */
  read: string | undefined;
  /** The write credential only for a batch holding a tools/call classed other than read. */
  forMessages(messages: JsonRpcMessage[]): string | undefined;
}

export function upstreamCredentials(options: UpstreamOptions): Credentials {
  const read = options.readAuthorization ?? options.authorization;
  return {
    read,
    forMessages(messages) {
      // Every call's class is looked up (the lookup also forgets it), then any write decides.
      // A call of unknown class (say, two in flight under one id) gets the read credential:
      // a write refused upstream is safe, a read holding a write token is what this avoids.
      const classes = messages.filter((m) => isRequest(m) && m.method === 'tools/call').map((m) => options.actionClassOf?.(m.id!) ?? 'read');
      return classes.some((c) => c !== 'read') ? options.authorization : read;
    },
  };
}

/** The client's own Authorization never gets here (DESIGN §6: no token passthrough): only ours. */
export function authorizationHeader(credential: string | undefined): Record<string, string> {
  return credential ? { authorization: credential } : {};
}

/**
 * One upstream message as one relay line, and the responses in it. Raw line breaks cannot
 * occur inside JSON strings, so as whitespace they can go: a pretty-printed message
 * becomes one line without being re-serialised. Not JSON: the relay reports and drops it.
 */
export function toRelayLine(text: string): { line: string; responses: JsonRpcMessage[] } | null {
  const line = text.replace(/\r\n|\r|\n/g, ' ').trim();
  if (!line) return null;
  try {
    const parsed = JSON.parse(line) as JsonRpcMessage | JsonRpcMessage[];
    const members = Array.isArray(parsed) ? parsed : [parsed];
    return { line, responses: members.filter((m) => !!m && typeof m === 'object' && m.method === undefined && m.id !== undefined) };
  } catch {
    return { line, responses: [] };
  }
}

/** The messages of one relay line and the ids of the requests among them. */
export function parseRelayLine(text: string): { messages: JsonRpcMessage[]; ids: Map<string, JsonRpcId> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null; // the relay only forwards JSON it has parsed
  }
  const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter((m): m is JsonRpcMessage => !!m && typeof m === 'object');
  const ids = new Map<string, JsonRpcId>();
  for (const msg of messages) if (isRequest(msg)) ids.set(idKey(msg.id!), msg.id!);
  return { messages, ids };
}

export function failureLine(server: string, id: JsonRpcId, reason: string): string {
  return `${errorResponse(id, ErrorCode.UpstreamFailed, reason, { server })}\n`;
}

/** Reads a text/event-stream body to its end, event by event. */
export async function readEventStream(response: Response, onEvent: (data: string, event: string) => void): Promise<void> {
  const parser = createSseParser(onEvent);
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
  parser.push(decoder.decode());
  parser.end();
}

/** The adapter's stdin: one call per line; EOF (how a stdio server is told to stop) calls `onEnd`. */
export function lineInput(onLine: (line: string) => void, onEnd: () => void): Writable {
  const splitter = createLineSplitter((line) => onLine(line.toString('utf8')));
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      callback();
    },
    final(callback) {
      onEnd();
      callback();
    },
  });
}

export function httpFailure(server: string, status: number, excerpt: string, hadSession: boolean): string {
  if (status === 401 || status === 403) {
    return `remote server '${server}' refused the request (HTTP ${status}); give the firewall a credential for it with: mcp-firewall secrets set ${server} AUTHORIZATION`;
  }
  if (status === 404 && hadSession) return `remote server '${server}' no longer knows this session (HTTP 404); reconnect the server in your client`;
  return `remote server '${server}' answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
}

export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
