import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { ClientSession } from './client-session.js';
import { failRequest } from './client-stream.js';

/** Larger than any tools/call a person would approve, small enough that a flood cannot exhaust memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface PostedMessages {
  messages: JsonRpcMessage[];
  batch: boolean;
  /** The message or batch as one line for the relay. */
  line: string;
}

type ReadResult = PostedMessages | { status: number; code: number; message: string };

/**
 * The messages of a POST, read once `session` (the one it is for, when known) takes more:
 * while its relay is behind, the body waits unread in the client's socket. Null once `res`
 * has been answered with why they cannot be relayed.
 */
export async function readPost(req: IncomingMessage, res: ServerResponse, session: ClientSession | undefined): Promise<PostedMessages | null> {
  const behind = session?.whenAccepting();
  if (behind) await behind;
  const read = await readMessages(req);
  if (!('status' in read)) return read;
  failRequest(res, read.status, read.code, read.message);
  return null;
}

/** The JSON-RPC message (or batch) in a POST body, or why it cannot be relayed. */
async function readMessages(req: IncomingMessage): Promise<ReadResult> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.includes('application/json')) return { status: 415, code: ErrorCode.InvalidRequest, message: 'Unsupported Media Type: the body must be application/json' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { status: 413, code: ErrorCode.InvalidRequest, message: `request body larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return { status: 400, code: ErrorCode.ParseError, message: `Parse error: the body is not valid JSON (${(error as Error).message})` };
  }
  const batch = Array.isArray(parsed);
  const messages = (batch ? parsed : [parsed]) as unknown[];
  if (messages.length === 0 || messages.some((m) => !m || typeof m !== 'object' || Array.isArray(m))) {
    return { status: 400, code: ErrorCode.InvalidRequest, message: 'Invalid Request: the body must be a JSON-RPC message or a non-empty batch of them' };
  }
  // JSON-RPC ids are strings, numbers or null: any other would reach the relay's id
  // bookkeeping, which takes it for an exact number's source and fails (500, and a
  // session started for an initialize left behind).
  if (messages.some((m) => 'id' in (m as object) && !isIdValue((m as { id: unknown }).id))) {
    return { status: 400, code: ErrorCode.InvalidRequest, message: 'Invalid Request: an id must be a string, a number or null' };
  }
  // Written out here, before any session is touched: a body nested some thousands deep
  // parses but cannot be written again (JSON.stringify recurses). Written when it was sent
  // on, it threw after its POST was taken in: the POST hung, and an initialize's session
  // stayed for good, holding one of the server's places.
  let line: string;
  try {
    line = JSON.stringify(parsed);
  } catch {
    return { status: 400, code: ErrorCode.InvalidRequest, message: 'Invalid Request: the message is nested too deeply' };
  }
  return { messages: messages as JsonRpcMessage[], batch, line };
}

function isIdValue(id: unknown): boolean {
  return id === null || typeof id === 'string' || typeof id === 'number';
}
