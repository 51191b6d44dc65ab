import type { CallInfo } from '../ipc/protocol.js';
import { digestOf } from '../jsonrpc/canonical.js';
import { ErrorCode, errorResponse, notification, replyIdOf, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { pausedVerdict } from '../policy/pause.js';
import type { Decision } from '../policy/types.js';
import { argumentLeak } from './argument-dlp.js';
import type { PolicerContext } from './call-policer.js';
import { createCallRow, recordNow } from './call-rows.js';
import { ENGINE_GONE } from './engine-link.js';
import { createServerRequests } from './server-requests.js';

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

/** What the client's answers are checked with: the policer's session, policy and peers. */
export type ClientAnswersContext = Pick<PolicerContext, 'server' | 'sessionId' | 'client' | 'actorId' | 'policy' | 'emergency' | 'pausedUntil' | 'link' | 'toClient' | 'toServer'> & {
  protocolEvent: (reason: string) => void;
};

export interface ClientAnswers {
  /**
   * The server sent the client a request: remembered until the client answers it. False:
   * it is refused here (its id is taken, or too many wait), and must not reach the client.
   */
  asked(message: JsonRpcMessage, text: string): boolean;
  /** Whether `message` answers a server request still waiting for the client. */
  awaited(message: unknown): boolean;
  /**
   * Checks the client's answer on its way to the server. True: it passes, and the caller
   * sends `raw` as for any message. False: it is handled here (withheld, or waiting for a person).
   */
  pass(message: JsonRpcMessage, raw: Buffer, text: string): boolean;
  /** A server request the firewall withheld from the client: the server gets an error under `id`, and the id is free again. */
  withheld(id: JsonRpcId, why: string): void;
  /**
   * A client request other than tools/call that carries `params.inputResponses` (2026-07-28:
   * the retry of a prompts/get, resources/read … the server answered input_required). Those
   * are the client's answers to the server's sampling and elicitation requests, as in the 2025
   * era: checked as answers are. True: it goes on. False: it was refused here (the client has its error).
   */
  retried(message: JsonRpcMessage, text: string): boolean;
}

/** What became of an answer: sent on as it is, replaced by an error, or waiting for a person. */
type Outcome = 'passes' | 'withheld' | 'asking';

export function createClientAnswers(ctx: ClientAnswersContext): ClientAnswers {
  const requests = createServerRequests(ctx);
  const row = createCallRow(ctx);

  /** The server gets an error in place of the answer; the client, which thinks it answered, is told in its log. */
  const withhold = (info: CallInfo, id: ReturnType<typeof replyIdOf>, reason: string) => {
    const text = `MCP Firewall withheld the client's answer to ${info.method} from '${ctx.server}': ${reason}`;
    ctx.toServer.send(errorResponse(id, ErrorCode.PolicyDenied, text));
    ctx.toClient.send(notification('notifications/message', { level: 'warning', logger: 'mcp-firewall', data: text }));
  };

  /** A leaking answer to a sampling request: decided as a call whose arguments carry a secret is. */
  const decide = (info: CallInfo, message: JsonRpcMessage, raw: Buffer, id: ReturnType<typeof replyIdOf>, decision: Decision): Outcome => {
    const { ruleId, reason } = info.escalation!;
    if (ctx.link.closed) {
      // Fail closed, as for a call: with no engine there is no audit and no approver.
      withhold(info, id, `${reason}, and ${ENGINE_GONE}`);
      return 'withheld';
    }
    // Always a finding (the DLP's), so a pause leaves it asking: the same rule as for a call.
    const verdict = pausedVerdict<{ decision: Decision; ruleId: string | null; reason: string }>({ decision, ruleId, reason }, ctx.pausedUntil(), ctx.emergency(), info.escalation);
    if (verdict.decision === 'DENY' || verdict.decision === 'ALLOW') {
      const failed = recordNow(ctx.link, row(info, { decision: verdict.decision, ruleId: verdict.ruleId, reason: verdict.reason }));
      if (failed) withhold(info, id, `the decision could not be recorded (${failed.message})`);
      else if (verdict.decision === 'DENY') withhold(info, id, `${verdict.reason} (rule ${verdict.ruleId})`);
      return verdict.decision === 'ALLOW' && !failed ? 'passes' : 'withheld';
    }
    // REQUIRE_APPROVAL: the engine asks a person and writes the row. Until then the answer
    // waits here, and its id stays taken: the server has had no answer under it yet. The
    // server may stop waiting first, and then ignores the answer when it comes.
    ctx.link.decide(info, verdict.ruleId, verdict.reason, () => {}).verdict.then(
      (answer) => {
        requests.settle(message);
        if (answer.decision === 'ALLOW') ctx.toServer.send(raw);
        else withhold(info, id, `${answer.reason}${answer.ruleId ? ` (rule ${answer.ruleId})` : ''}`);
      },
      (error: Error) => {
        requests.settle(message);
        withhold(info, id, `approval could not be obtained: ${error.message}`);
      },
    );
    return 'asking';
  };

  /** Checks a client's answer to a request of `method`. */
  const check = (method: string, message: JsonRpcMessage, raw: Buffer, text: string): Outcome => {
    // An error answer carries no content of the client's; the prefilter on the raw line
    // (inside argumentLeak) keeps a clean answer from being serialised again.
    if (!Object.hasOwn(CHECKED, method) || message.result === undefined) return 'passes';
    const leak = argumentLeak(message.result, ctx.policy().spec.output, text);
    if (leak === null) return 'passes';
    const id = replyIdOf(message.id!, text);
    const info: CallInfo = {
      sessionId: ctx.sessionId, client: ctx.client(), server: ctx.server, method, tool: method,
      // Nothing on the server changes by it; what is at stake is what leaves, which the DLP rule decides.
      actionClass: 'read', argsDigest: digestOf(message.result), arguments: message.result, requestId: JSON.stringify(id),
      escalation: { ruleId: leak.ruleId, reason: `the client's answer carries ${leak.found}` },
    };
    if (CHECKED[method] === 'decided') return decide(info, message, raw, id, leak.decision);
    const { ruleId, reason } = info.escalation!;
    // The user's own answer to the server's form is not held back for want of a row.
    recordNow(ctx.link, row(info, { decision: 'ALLOW', ruleId, reason: `${reason}; passed: the user typed it for this server` }));
    return 'passes';
  };

  /**
   * A retry's inputResponses with a finding: only tools/call retries can be put to a person
   * (call-policer.ts), so what would ask is refused, saying why. An answer to an elicitation
   * is in there too; what the server asked for cannot be told apart once answered, so the
   * whole is decided as a sampling answer is.
   */
  const retried = (message: JsonRpcMessage, text: string): boolean => {
    const inputResponses = (message.params as { inputResponses?: unknown } | undefined)?.inputResponses;
    if (inputResponses === undefined) return true;
    const leak = argumentLeak(inputResponses, ctx.policy().spec.output, text);
    if (leak === null) return true;
    const method = String(message.method);
    const id = replyIdOf(message.id ?? null, text);
    const info: CallInfo = {
      sessionId: ctx.sessionId, client: ctx.client(), server: ctx.server, method, tool: method,
      actionClass: 'read', argsDigest: digestOf(inputResponses), arguments: { inputResponses }, requestId: JSON.stringify(id),
      escalation: { ruleId: leak.ruleId, reason: `its input responses (the client's answers to the server) carry ${leak.found}` },
    };
    const { ruleId, reason } = info.escalation!;
    const refuse = (why: string, audited: boolean) => {
      const failed = audited ? recordNow(ctx.link, row(info, { decision: 'DENY', ruleId, reason: why })) : null;
      const text = `MCP Firewall denied ${method}: ${why} (rule ${ruleId})${failed ? `; the refusal could not be recorded (${failed.message})` : ''}`;
      ctx.toClient.send(errorResponse(id, ErrorCode.PolicyDenied, text, { decision: 'DENY', ruleId, reason: why }));
      return false;
    };
    if (ctx.link.closed) return refuse(`${reason}, and ${ENGINE_GONE}`, false);
    const verdict = pausedVerdict<{ decision: Decision; ruleId: string | null; reason: string }>({ decision: leak.decision, ruleId, reason }, ctx.pausedUntil(), ctx.emergency(), info.escalation);
    if (verdict.decision === 'ALLOW') {
      const failed = recordNow(ctx.link, row(info, { decision: 'ALLOW', ruleId: verdict.ruleId, reason: verdict.reason }));
      return failed === null || refuse(`the decision could not be recorded (${failed.message})`, false);
    }
    if (verdict.decision === 'DENY') return refuse(verdict.reason, true);
    return refuse(`${reason}; a retried ${method} cannot be put to a person (only a tools/call can), so it is refused: answer the server without it`, true);
  };

  return {
    retried,
    asked: (message, text) => requests.asked(message, text),
    awaited: (message) => requests.answering(message) !== undefined,
    withheld(id, why) {
      ctx.toServer.send(errorResponse(id, ErrorCode.FirewallUnavailable, `MCP Firewall did not pass this request on to the client: ${why}`));
      requests.settle({ id });
    },
    pass(message, raw, text) {
      const method = requests.answering(message);
      if (method === undefined) return true;
      const outcome = check(method, message, raw, text);
      if (outcome !== 'asking') requests.settle(message);
      return outcome === 'passes';
    },
  };
}
