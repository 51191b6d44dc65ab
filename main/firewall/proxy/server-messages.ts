import type { AuditEntry } from '../audit/audit-log.js';
import { createRefusalLimiter } from '../audit/refusal-limiter.js';
import { exactSource, notification, replyIdOf, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { inspectServerMessage, type OutputThresholds } from '../output/index.js';
import type { EngineLink } from './engine-link.js';
import type { OrderedWriter } from './ordered-writer.js';
import { recordNow } from './call-rows.js';
import { summary } from './output-stage.js';

export interface ServerMessagesContext {
  link: EngineLink;
  toClient: OrderedWriter;
  thresholds: () => OutputThresholds;
  /** A 'result' row of this session, server and client. */
  row: (fields: Omit<AuditEntry, 'event'>) => AuditEntry;
  /** A message leaves redacted: `from` its text as the server sent it, `to` as it leaves. */
  onRewritten?: (from: string, to: string) => void;
  /** A request of the server's was withheld from the client (`id` as the server wrote it): the server must hear so, and its id be free. */
  onWithheldRequest: (id: JsonRpcId, why: string) => void;
}

export interface ServerMessageRelay {
  /**
   * Passes on a message the server sends on its own (not an answer): `false` when the client's
   * stream is full, as PeerWriter.send.
   */
  pass(message: unknown, raw: Buffer, text: string): boolean;
  /** Writes the count of redactions past the row limit (the session ends). */
  close(): void;
}

/** Redactions audited one by one per minute and session; the rest are counted in one row. */
const REDACTION_ROWS_PER_MINUTE = 30;

/** What a redacted message was about, for the audit's tool column: its task or progress token, if it names one. */
function subjectOf(params: unknown): string | null {
  if (!params || typeof params !== 'object') return null;
  const { taskId, progressToken } = params as { taskId?: unknown; progressToken?: unknown };
  if (typeof taskId === 'string') return `task:${taskId}`;
  if (typeof progressToken === 'string' || typeof progressToken === 'number') return `progress:${progressToken}`;
  // A token past 2^53, kept as the server wrote it (see below).
  if (progressToken && typeof progressToken === 'object' && 'rawJSON' in progressToken) return `progress:${String(progressToken.rawJSON)}`;
  return null;
}

/**
 * The output stage for what a server sends unasked: progress and log notifications, a task's
 * status, requests to the client (sampling prompts, elicitation messages). A secret a server
 * puts in a progress message or a log line would otherwise reach the client — and often the
 * model — in clear, around the scan its tool results get.
 *
 * A clean message costs one prefilter pass on its raw line and leaves byte-identical. One the
 * detectors find something in leaves redacted in place, in its place in line, with its shape
 * kept: such a message answers no call, so there is nothing to withhold it from and no
 * retry to release it to, and dropping it would lose a task's status or leave a server's
 * request unanswered. As a redacted result's, its row is written before it leaves; if that
 * write fails, it does not leave, and the client is told. Clean messages get no row: a
 * chatty server would fill the audit with its log lines.
 */
export function createServerMessages(ctx: ServerMessagesContext): ServerMessageRelay {
  // A server could mint a row per message by putting a token in each log line, without
  // end: past the limit the redaction goes on, and a row counts the messages it was done to.
  let failure: Error | null = null;
  const rows = createRefusalLimiter(
    (entry) => void (failure = recordNow(ctx.link, entry)),
    REDACTION_ROWS_PER_MINUTE, 60_000,
    (skipped, first) => `${skipped} more messages the server sent on its own were redacted in this session in the last minute (not recorded one by one; the first: ${first.reason})`,
    true,
  );
  const record = (entry: AuditEntry): Error | null => {
    failure = null;
    rows.record(entry);
    return failure;
  };
  const pass: ServerMessageRelay['pass'] = (message, raw, text) => {
    const verdict = inspectServerMessage(text, message, ctx.thresholds());
    if (verdict.findings.length === 0 && !verdict.reparse) return ctx.toClient.send(raw);
    // Parsed JSON, not always an object: `null` or a bare string is read (and passed on) too.
    const fields: JsonRpcMessage = message !== null && typeof message === 'object' ? message : {};
    const params = fields.params;
    const token = params && typeof params === 'object' ? (params as { progressToken?: unknown }).progressToken : undefined;
    // As the server wrote them (digits past 2^53 do not survive the parse): the id the
    // client answers a request by, and a progress token the client matches to its call.
    const id = fields.id === undefined ? undefined : replyIdOf(fields.id, text);
    const redacted = verdict.redacted;
    if (redacted && typeof redacted === 'object' && !Array.isArray(redacted)) {
      const m = redacted as JsonRpcMessage & { params?: { progressToken?: unknown } };
      if (id !== undefined) m.id = id as JsonRpcId;
      if (m.params && typeof m.params === 'object' && token !== undefined && m.params.progressToken === token) {
        m.params.progressToken = exactSource(token, text, ['params', 'progressToken']);
      }
    }
    // Nothing found, but a key repeats: it leaves as read and scanned (see verdict.ts), with no row, as a clean message.
    if (verdict.findings.length === 0) {
      const line = JSON.stringify(redacted);
      ctx.onRewritten?.(text, line);
      return ctx.toClient.send(line);
    }
    // Named after redaction: a task id or token holding a secret is redacted in the row too.
    const subject = subjectOf((redacted as { params?: unknown } | null)?.params);
    const held = verdict.overThreshold ? '; a result holding as much would be quarantined, but a message the server sends on its own answers no call to hold back, so all of it was redacted' : '';
    const method = typeof fields.method === 'string' ? fields.method : null;
    // As for a redacted result: it leaves only once its row is written.
    const failed = record(ctx.row({
      decision: 'REDACT', ruleId: 'output-redact', method, toolName: subject,
      requestId: id === undefined ? null : JSON.stringify(id), reason: `redacted ${summary(verdict.findings)}${held}`,
    }));
    if (failed) {
      // A request withheld is answered for the client: else the server waits on it until its own timeout, its id taken.
      if (id !== undefined && fields.method !== undefined) ctx.onWithheldRequest(id as JsonRpcId, `its audit row could not be written (${failed.message})`);
      return ctx.toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: `MCP Firewall withheld a ${method ?? 'message'} from the server, which it redacted secrets in: ${failed.message}` }));
    }
    const line = JSON.stringify(redacted);
    ctx.onRewritten?.(text, line);
    return ctx.toClient.send(line);
  };
  return { pass, close: () => rows.close() };
}
