import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo } from '../ipc/protocol.js';
import { parseKeepingNumbers } from '../jsonrpc/exact-numbers.js';
import { ErrorCode, errorResponse, notification, type JsonRpcMessage, type ReplyId } from '../jsonrpc/messages.js';
import { inspectResultLine, type OutputVerdict, type VerdictFinding } from '../output/index.js';
import type { OutputThresholds } from '../output/verdict.js';
import { ENGINE_GONE, type EngineLink } from './engine-link.js';
import { recordNow } from './call-rows.js';
import { reserveWithin, type OrderedWriter } from './ordered-writer.js';

/** A server's answer on its way to the client: the bytes, their text, and what the audit needs of it. */
export interface Answer {
  raw: Buffer;
  text: string;
  /** An error response, or a tool result flagged isError. */
  failed: boolean;
  /** The parsed result, when the answer was parsed (always for untrusted tools: taint reads it). */
  result?: unknown;
  /** The prefilter already found nothing in `text` (an answer delivered without parsing). */
  clean?: boolean;
}

const CLEAN: OutputVerdict = { action: 'PASS', findings: [] };
/** How long a quarantined answer waits for the engine to store it (the keychain may ask first). */
const QUARANTINE_WAIT_MS = 30_000;

export function answerFailed(message: JsonRpcMessage): boolean {
  return message.error !== undefined || (message.result as { isError?: unknown } | undefined)?.isError === true;
}

/**
 * An error for everyone waiting on an answer: one response, or for a withheld batch answer
 * a batch of them, one per member, so no request of the batch is left without an answer.
 */
export function errorAnswer(id: ReplyId | ReplyId[], code: number, message: string): string {
  if (!Array.isArray(id)) return errorResponse(id, code, message);
  // A batch of notifications has no one to answer; say why its content never arrived.
  if (id.length === 0) return notification('notifications/message', { level: 'warning', logger: 'mcp-firewall', data: message });
  return `[${id.map((member) => errorResponse(member, code, message)).join(',')}]`;
}

export interface StagedCall {
  /** The request's id; a batch answer carries the ids of its members. */
  id: ReplyId | ReplyId[];
  tool: string;
  argsDigest: string;
  info: CallInfo;
  /** A clean, successful answer leaves no row (polling and autocomplete would flood the audit). */
  quietWhenClean?: boolean;
  /** What the result row's reason adds about the answer (a 2026-07-28 input_required, say). */
  note?: string;
}

export interface OutputStageContext {
  link: EngineLink;
  toClient: OrderedWriter;
  thresholds: () => OutputThresholds;
  /** Builds this call's audit row (event 'result'). */
  row: (call: StagedCall, fields: Omit<AuditEntry, 'event'>) => AuditEntry;
}

export interface OutputStage {
  /** Whether any released result waits for its retry (so a request need not be digested to look). */
  releasesWaiting(): boolean;
  hasRelease(call: StagedCall): boolean;
  /** Answers a retried call with the result a person released from quarantine, if there is one. */
  answerFromRelease(call: StagedCall): boolean;
  /**
   * Cleans a server's answer and passes it to the client: PASS untouched, REDACT rewritten,
   * QUARANTINE withheld. True when the answer (as is, or redacted) went to the client.
   */
  deliver(call: StagedCall, answer: Answer, latencyMs: number): boolean;
}

/** What was found, by type, for an audit reason: `github-token ×2, email ×1` (never the values). */
export function summary(findings: VerdictFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} ×${n}`).join(', ');
}

/**
 * A message for the client under the call's id as the client wrote it (digits past 2^53,
 * escapes: the parse keeps neither). A batch answer's ids line up with its members (shim.ts
 * collects them in the members' order), and each member gets its own back.
 */
function serialiseFor(id: ReplyId | ReplyId[], message: unknown): string {
  if (!Array.isArray(id)) return JSON.stringify(withId(message, id));
  if (!Array.isArray(message) || message.length !== id.length) return JSON.stringify(message);
  return JSON.stringify(message.map((member, i) => withId(member, id[i]!)));
}

function withId(message: unknown, id: ReplyId): unknown {
  return message && typeof message === 'object' && !Array.isArray(message) && 'id' in message ? { ...message, id } : message;
}

/**
 * How the client gets a quarantined result once a person released it: the same request
 * again. Not a batch answer: it is held whole, while a retry is split and matched member by
 * member, so no release answers it; each request sent alone is judged (and held) alone.
 */
function retryAdvice(call: { id: unknown }): string {
  return Array.isArray(call.id)
    ? 'a batch answer is not delivered from a release: send its requests again one at a time to receive the ones that pass.'
    : 'once released, send the same request again to receive it.';
}

export function createOutputStage(ctx: OutputStageContext): OutputStage {
  const released = new Map<string, { id: string; payload: string }>();
  const key = (tool: string, argsDigest: string) => `${tool}\u0000${argsDigest}`;
  ctx.link.onReleased((item) => released.set(key(item.tool, item.argsDigest), { id: item.id, payload: item.payload }));
  // Delivered by another session of this server and client: it answers one retry, not two.
  ctx.link.onReleaseTaken((id) => {
    for (const [k, item] of released) if (item.id === id) released.delete(k);
  });

  const withhold = (call: StagedCall, text: string) => ctx.toClient.send(errorAnswer(call.id, ErrorCode.PolicyDenied, text));

  return {
    releasesWaiting: () => released.size > 0,
    hasRelease: (call) => released.has(key(call.tool, call.argsDigest)),
    answerFromRelease(call) {
      const item = released.get(key(call.tool, call.argsDigest));
      if (!item) return false;
      released.delete(key(call.tool, call.argsDigest));
      // Its numbers as the server wrote them, as for a redacted answer (exact-numbers.ts).
      const held = parseKeepingNumbers(item.payload).value as JsonRpcMessage;
      ctx.toClient.send(JSON.stringify({ ...held, id: call.id }));
      ctx.link.delivered(item.id);
      ctx.link.event(ctx.row(call, { decision: 'RELEASED', ruleId: 'output-quarantine', reason: `delivered ${item.id} released from quarantine` }));
      return true;
    },

    deliver(call, answer, latencyMs) {
      const line = answer.text;
      const verdict = answer.clean ? CLEAN : inspectResultLine(line, ctx.thresholds());
      if (verdict.action === 'PASS') {
        // A line that repeats a key leaves as it was read and scanned (see verdict.ts).
        ctx.toClient.send(verdict.reparsed === undefined ? answer.raw : serialiseFor(call.id, verdict.reparsed));
        if (!call.quietWhenClean || answer.failed) ctx.link.event(ctx.row(call, { decision: answer.failed ? 'ERROR' : 'PASS', latencyMs, ...(call.note ? { reason: call.note } : {}) }));
        return true;
      }
      const found = summary(verdict.findings);
      if (verdict.action === 'REDACT') {
        const cleaned = serialiseFor(call.id, verdict.redacted);
        // This answer leaves now, so its row is written now.
        const failed = recordNow(ctx.link, ctx.row(call, { decision: 'REDACT', ruleId: 'output-redact', reason: `redacted ${found}${call.note ? `; ${call.note}` : ''}`, latencyMs }));
        if (failed) {
          withhold(call, `MCP Firewall withheld the result of ${call.tool}: ${failed.message}`);
          return false;
        }
        ctx.toClient.send(cleaned);
        return true;
      }
      const findings = verdict.findings.map(({ type, family, severity, path }) => ({ type, family, severity, path }));
      // Its answer keeps its place in line while the engine stores the result; an engine that
      // never answers must not hold up the session behind it (the result stays withheld).
      const refusal = (text: string) => errorAnswer(call.id, ErrorCode.PolicyDenied, text);
      // The engine writes the QUARANTINE row of a result it was asked to hold, kept or not; one
      // it never answered about would otherwise leave none, unseen by the QUARANTINE ratio gate.
      const unanswered = (why: string) => {
        ctx.link.event(ctx.row(call, { decision: 'QUARANTINE', ruleId: 'output-quarantine', reason: `withheld and not kept: ${why}`, latencyMs }));
        return refusal(`MCP Firewall withheld the result of ${call.tool} (${found}) and could not store it: ${why}`);
      };
      const withheld = reserveWithin(ctx.toClient, QUARANTINE_WAIT_MS, () => unanswered(`the engine did not answer within ${QUARANTINE_WAIT_MS / 1000} s`));
      ctx.link.quarantine({ tool: call.tool, argsDigest: call.argsDigest, findings, payload: line }).then(
        (id) => withheld(refusal(`MCP Firewall quarantined the result of ${call.tool} as ${id} (${found}). Review it with \`mcp-firewall quarantine show ${id}\`; ${retryAdvice(call)}`)),
        (error: Error) => withheld(error.message === ENGINE_GONE ? unanswered(ENGINE_GONE) : refusal(`MCP Firewall withheld the result of ${call.tool} (${found}) and could not store it: ${error.message}`)),
      );
      return false;
    },
  };
}
