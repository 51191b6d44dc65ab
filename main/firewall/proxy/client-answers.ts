import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo } from '../ipc/protocol.js';
import { digestOf } from '../jsonrpc/canonical.js';
import { ErrorCode, errorResponse, idKey, notification, replyIdOf, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { pausedVerdict } from '../policy/pause.js';
import type { Decision } from '../policy/types.js';
import { argumentLeak } from './argument-dlp.js';
import type { PolicerContext } from './call-policer.js';
import { ENGINE_GONE } from './engine-link.js';

/**
 * What the client's answer to a server's request is checked for, by the request's method.
 * `decided`: the answer is text the client's model wrote (sampling), which can quote
 * anything from the user's conversation — a key pasted three turns ago — to a server that
 * asked for it: decided by `output.arguments_with_secrets`, as a tool call's arguments are.
 * `audited`: what the user typed into the server's own form (elicitation), given to that
 * server on purpose: a finding is audited and the answer goes on.
 * Roots (paths the client itself declares as the server's workspace) and pings are not read.
 */
const CHECKED: Record<string, 'decided' | 'audited'> = {
  'sampling/createMessage': 'decided',
  'elicitation/create': 'audited',
};

/** Server requests remembered for their answer; a server that is never answered must not grow the shim. */
const MAX_ASKED = 1024;

/** What the client's answers are checked with: the policer's session, policy and peers. */
export type ClientAnswersContext = Pick<PolicerContext, 'server' | 'sessionId' | 'client' | 'actorId' | 'policy' | 'emergency' | 'pausedUntil' | 'link' | 'toClient' | 'toServer'>;

export interface ClientAnswers {
  /** The server sent the client a request: remember its id if its answer is checked. */
  asked(message: JsonRpcMessage): void;
  /** Whether `message` answers a server request whose answer is checked. */
  checks(message: unknown): boolean;
  /**
   * Checks the client's answer on its way to the server. True: it passes, and the caller
   * sends `raw` as for any message. False: it is handled here (withheld, or waiting for a person).
   */
  pass(message: JsonRpcMessage, raw: Buffer, text: string): boolean;
}

export function createClientAnswers(ctx: ClientAnswersContext): ClientAnswers {
  const pending = new Map<string, string>();
  // Parsed JSON, not always an object (`null`, a bare string): such a line is no answer.
  const isAnswer = (m: unknown): m is JsonRpcMessage => !!m && typeof m === 'object' && (m as JsonRpcMessage).method === undefined && (m as JsonRpcMessage).id !== undefined && (m as JsonRpcMessage).id !== null;

  const row = (info: CallInfo, fields: Omit<AuditEntry, 'event' | 'actorId'>): AuditEntry => ({
    event: 'call', actorId: ctx.actorId(), client: info.client, serverName: ctx.server, toolName: info.tool, method: info.method,
    actionClass: info.actionClass, sessionId: ctx.sessionId, requestId: info.requestId, argsDigest: info.argsDigest, ...fields,
  });

  /** The server gets an error in place of the answer; the client, which thinks it answered, is told in its log. */
  const withhold = (info: CallInfo, id: ReturnType<typeof replyIdOf>, reason: string) => {
    const text = `MCP Firewall withheld the client's answer to ${info.method} from '${ctx.server}': ${reason}`;
    ctx.toServer.send(errorResponse(id, ErrorCode.PolicyDenied, text));
    ctx.toClient.send(notification('notifications/message', { level: 'warning', logger: 'mcp-firewall', data: text }));
  };

  return {
    asked(message) {
      if (!message || typeof message !== 'object' || typeof message.method !== 'string' || !Object.hasOwn(CHECKED, message.method) || message.id === undefined || message.id === null) return;
      pending.set(idKey(message.id), message.method);
      if (pending.size > MAX_ASKED) pending.delete(pending.keys().next().value!);
    },

    checks: (message) => isAnswer(message) && pending.has(idKey(message.id!)),

    pass(message, raw, text) {
      // Most sessions never see a server request: their answers cost one size check.
      if (pending.size === 0 || !isAnswer(message)) return true;
      const key = idKey(message.id!);
      const method = pending.get(key);
      if (method === undefined) return true;
      pending.delete(key);
      // An error answer carries no content of the client's; the prefilter on the raw line
      // (inside argumentLeak) keeps a clean answer from being serialised again.
      if (message.result === undefined) return true;
      const policy = ctx.policy();
      const leak = argumentLeak(message.result, policy.spec.output, text);
      if (leak === null) return true;
      const id = replyIdOf(message.id!, text);
      const info: CallInfo = {
        sessionId: ctx.sessionId, client: ctx.client(), server: ctx.server, method, tool: method,
        // Nothing on the server changes by it; what is at stake is what leaves, which the DLP rule decides.
        actionClass: 'read', argsDigest: digestOf(message.result), arguments: message.result, requestId: JSON.stringify(id),
        escalation: { ruleId: leak.ruleId, reason: `the client's answer carries ${leak.found}` },
      };
      const { ruleId, reason } = info.escalation!;

      if (CHECKED[method] === 'audited') {
        try {
          ctx.link.record(row(info, { decision: 'ALLOW', ruleId, reason: `${reason}; passed: the user typed it for this server` }), () => {});
          ctx.link.flush();
        } catch {
          // The user's own answer to the server's form is not held back for want of a row.
        }
        return true;
      }
      if (ctx.link.closed) {
        // Fail closed, as for a call: with no engine there is no audit and no approver.
        withhold(info, id, `${reason}, and ${ENGINE_GONE}`);
        return false;
      }
      const verdict = pausedVerdict<{ decision: Decision; ruleId: string | null; reason: string }>({ decision: leak.decision, ruleId, reason }, ctx.pausedUntil(), ctx.emergency());
      if (verdict.decision === 'DENY' || verdict.decision === 'ALLOW') {
        try {
          ctx.link.record(row(info, { decision: verdict.decision, ruleId: verdict.ruleId, reason: verdict.reason }), () => {});
          ctx.link.flush();
        } catch (error) {
          withhold(info, id, `the decision could not be recorded (${(error as Error).message})`);
          return false;
        }
        if (verdict.decision === 'ALLOW') return true;
        withhold(info, id, `${reason} (rule ${ruleId})`);
        return false;
      }
      // REQUIRE_APPROVAL: the engine asks a person and writes the row. Until then the answer
      // waits here; the server may stop waiting first, and then ignores it when it comes.
      ctx.link.decide(info, ruleId, reason, () => {}).verdict.then(
        (answer) => {
          if (answer.decision === 'ALLOW') ctx.toServer.send(raw);
          else withhold(info, id, `${answer.reason}${answer.ruleId ? ` (rule ${answer.ruleId})` : ''}`);
        },
        (error: Error) => withhold(info, id, `approval could not be obtained: ${error.message}`),
      );
      return false;
    },
  };
}
