import type { Readable } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { batchSources } from '../jsonrpc/json-scan.js';
import { ErrorCode, errorResponse, isRequest, replyIdOf, type JsonRpcMessage } from '../jsonrpc/messages.js';
import type { PeerWriter } from './peer-writer.js';

/**
 * Answers every request with one clear error and runs nothing. Used when the engine
 * is unreachable or refused the server: starting an unvetted server would already run
 * its code, and exiting at once makes clients retry in a loop with no message at all.
 */
export function serveRefusal(input: Readable, toClient: PeerWriter, message: string, data: Record<string, unknown>): Promise<void> {
  const answer = (msg: JsonRpcMessage, text: string) => {
    if (isRequest(msg)) toClient.send(errorResponse(replyIdOf(msg.id ?? null, text), ErrorCode.FirewallUnavailable, message, data));
  };
  const splitter = createLineSplitter((line) => {
    let parsed: unknown;
    const text = line.toString('utf8');
    try {
      parsed = JSON.parse(text);
    } catch {
      toClient.send(errorResponse(null, ErrorCode.ParseError, 'Parse error: the message is not valid JSON'));
      return;
    }
    if (!Array.isArray(parsed)) {
      if (parsed && typeof parsed === 'object') answer(parsed as JsonRpcMessage, text);
      return;
    }
    const sourceOf = batchSources(text, parsed);
    parsed.forEach((msg, index) => {
      if (msg && typeof msg === 'object') answer(msg as JsonRpcMessage, sourceOf(index));
    });
  });
  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => splitter.push(chunk));
    input.on('end', resolve);
    input.on('close', resolve);
    input.on('error', () => resolve());
  });
}
