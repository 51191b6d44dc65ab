import type { IncomingMessage } from 'node:http';
import { ErrorCode, type JsonRpcMessage } from '../jsonrpc/messages.js';

/** Larger than any tools/call a person would approve, small enough that a flood cannot exhaust memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type ReadResult = { messages: JsonRpcMessage[]; batch: boolean } | { status: number; code: number; message: string };

/** The JSON-RPC message (or batch) in a POST body, or why it cannot be relayed. */
export async function readMessages(req: IncomingMessage): Promise<ReadResult> {
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
  return { messages: messages as JsonRpcMessage[], batch };
}
