import type { Readable } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { ErrorCode, errorResponse, isRequest, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { PeerWriter } from './peer-writer.js';

/**
 * Answers every request with one clear error and runs nothing. Used when the engine
 * is unreachable or refused the server: starting an unvetted server would already run
 * its code, and exiting at once makes clients retry in a loop with no message at all.
 */
export function serveRefusal(input: Readable, toClient: PeerWriter, message: string, data: Record<string, unknown>): Promise<void> {
  const answer = (msg: JsonRpcMessage) => {
    if (isRequest(msg)) toClient.send(errorResponse(msg.id ?? null, ErrorCode.FirewallUnavailable, message, data));
  };
  const splitter = createLineSplitter((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.toString('utf8'));
    } catch {
      toClient.send(errorResponse(null, ErrorCode.ParseError, 'Parse error: the message is not valid JSON'));
      return;
    }
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) if (msg && typeof msg === 'object') answer(msg as JsonRpcMessage);
  });
  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => splitter.push(chunk));
    input.on('end', resolve);
    input.on('close', resolve);
    input.on('error', () => resolve());
  });
}
