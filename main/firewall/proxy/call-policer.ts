import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo } from '../ipc/protocol.js';
import { digestOf } from '../jsonrpc/canonical.js';
import { memberSource } from '../jsonrpc/json-scan.js';
import { ErrorCode, errorResponse, exactSource, notification, replyIdOf, type JsonRpcId, type JsonRpcMessage, type ReplyId } from '../jsonrpc/messages.js';
import type { ToolDescription } from '../policy/action-class.js';
import type { CompiledPolicy } from '../policy/evaluate.js';
import type { SessionGuards } from '../guard/session-guards.js';
import type { TaintTracker } from '../guard/taint.js';
import { escalatedVerdict } from '../policy/effective-verdict.js';
import { pausedVerdict } from '../policy/pause.js';
import type { ActionClass, Constraints } from '../policy/types.js';
import { ENGINE_GONE, type EngineLink } from './engine-link.js';
import { argumentLeak, type ArgumentLeak } from './argument-dlp.js';
import { createOutputStage, errorAnswer, type Answer, type StagedCall } from './output-stage.js';
import type { OrderedWriter } from './ordered-writer.js';
import type { PeerWriter } from './peer-writer.js';
import { createToolVerdicts } from './tool-verdicts.js';
import { createCallRow, recordNow } from './call-rows.js';
import { CallSet } from './call-table.js';
import { createContinuations, type Approved } from './continuations.js';
import { asksEveryTime, combinedEscalation } from '../guard/asks-every-time.js';
import { argumentsDigest } from './arguments-digest.js';

const SWEEP_MS = 100;

/** One policed request in flight, from the client's message to the answer it gets. */
export interface PolicedCall {
  id: JsonRpcId;
  /** The id the client's answers carry: `id` as the client wrote it. */
  replyId: ReplyId;
  info: CallInfo;
  startedAt: number;
  /** Why the decision row could not be written (null: it was); an answer never leaves without it. */
  auditError: Error | null;
  /** When max_runtime_sec runs out (epoch ms); swept by one timer for all calls. */
  deadline?: number;
  maxRuntimeSec?: number;
  finished: boolean;
  /** Sent to the server. Until then an answer under its id is the server's invention (it can guess ids). */
  dispatched: boolean;
  cancelApproval?: () => void;
  /** A read of outside content (web, issues…): its result is fingerprinted for taint. */
  untrusted: boolean;
  /** The person's approval it runs under: an input_required answer lets its retry continue under it (continuations.ts). */
  approved?: Approved;
}

export interface PolicerContext {
  server: string;
  sessionId: string;
  client: () => string;
  actorId: () => string;
  policy: () => CompiledPolicy;
  emergency: () => boolean;
  tools: Map<string, ToolDescription>;
  /** Why a tool is hidden by the manifest pins (drifted, new, poisoned), or null. */
  heldReason: (tool: string) => string | null;
  /**
   * Queues `run` behind the firewall's own look at the tools when one is under way (or must
   * start, the last one having failed), as a new call waits for it: true if queued. `run` is
   * taken up when the look ends, however it ends (went through, failed, timed out, stopped).
   */
  afterToolsLook: (run: () => void) => boolean;
  guards: SessionGuards;
  taint: TaintTracker;
  /** While protection is paused, the policy's routine asks go through (a finding still asks): see policy/pause.ts. */
  pausedUntil: () => string | null;
  link: EngineLink;
  toClient: OrderedWriter;
  toServer: PeerWriter;
  /**
   * A 2026-07-28 session (session-era.ts): only there does `resultType: "input_required"` mean
   * a multi round-trip request, and leave a continuation for its retry.
   */
  stateless: () => boolean;
  /** The call ended without reaching the server: forget it. */
  release: (call: PolicedCall) => void;
  /** The call was given up on (max_runtime_sec, or cancelled by the client) while the server has it: drop its late answer. */
  abandon: (call: PolicedCall) => void;
  /** Hears each call as it is sent to the server, with its action class and the max_runtime_sec it runs under. */
  onDispatch?: (id: JsonRpcId, actionClass: ActionClass, maxRuntimeSec: number) => void;
}

interface ParamsShape {
  name?: unknown;
  arguments?: unknown;
  /** 2026-07-28: the client's answers to what the server asked in its input_required result, on the call's retry. */
  inputResponses?: unknown;
  requestState?: unknown;
  _meta?: { progressToken?: unknown };
}

export interface CallPolicer {
  /**
   * Decides a tools/call and forwards it when allowed; `finished` is set if it ended here.
   * `text` is `raw` decoded, which the argument DLP prefilters before anything else.
   */
  handle(message: JsonRpcMessage, raw: Buffer, text: string): PolicedCall;
  /** The server answered: pass the answer on through the output stage (withheld if the decision row failed). */
  finish(call: PolicedCall, answer: Answer): void;
  /**
   * An answer that carries content but was not a policed call (resources/read, prompts/get,
   * a batch, an answer to no request we saw): it goes through the same output stage.
   */
  inspect(method: string, label: string, id: ReplyId | ReplyId[], answer: Answer): void;
  /**
   * A content request (resources/read, prompts/get …) whose quarantined answer a person
   * released: answered with it now, the server not asked again; false when there is none.
   */
  answerReleased(method: string, label: string, id: ReplyId): boolean;
  /** Whether a released result waits for its request (a batch holding one is then taken apart). */
  releasesWaiting(): boolean;
  /** The server is gone or the call must end: answer the client with an error. */
  abort(call: PolicedCall, reason: string): void;
  /**
   * The client cancelled a call the server has: audited as such; a late answer is dropped. Or
   * an approved call still waiting for the firewall's look at the tools: never sent, audited so.
   */
  cancel(call: PolicedCall, reason: string): void;
  /**
   * The client cancelled a call before it was decided (it waited for the firewall's look at
   * the tools): never sent, audited as cancelled; `since` is when it arrived (epoch ms).
   */
  cancelUndecided(message: JsonRpcMessage, text: string, reason: string, since: number): void;
  /**
   * A tools/call that arrived after the engine stopped the server (`registry disable`,
   * `contain`, a launch that drifted): its DENY row, written before the shim refuses it.
   */
  recordStopped(message: JsonRpcMessage, text: string, reason: string): void;
}

/** Two escalations alike: none, or the same rule for the same reason. */
const sameEscalation = (a: { ruleId: string; reason: string } | undefined, b: { ruleId: string; reason: string } | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.ruleId === b.ruleId && a.reason === b.reason);

/**
 * The client's answers on a 2026-07-28 retry (`inputResponses`) are what it once sent as its
 * answers to the server's own sampling and elicitation requests: text its model wrote or its
 * user typed, leaving for the server. A secret in them is decided as one in the arguments is.
 */
function answersLeak(inputResponses: unknown, output: CompiledPolicy['spec']['output'], text: string): ArgumentLeak | null {
  if (inputResponses === undefined) return null;
  const leak = argumentLeak(inputResponses, output, text);
  return leak && { ...leak, reason: `its input responses (the client's answers to the server) carry ${leak.found}` };
}

/**
 * A call asked about for what its answers carry is shown, digested and remembered with them:
 * the approver sees what would leave, and an "always" grant for the arguments alone (call-gate.ts)
 * does not cover a secret in the answers.
 */
function showAnswers(info: CallInfo, inputResponses: unknown, text: string): void {
  info.arguments = { arguments: info.arguments, inputResponses };
  info.argsDigest = digestOf(info.arguments);
  // Numbers past 2^53 in the arguments: the request's params as written (the envelope too).
  if (info.argumentsSource !== undefined) info.argumentsSource = memberSource(text, 'params') ?? text;
}

/** A 2026-07-28 answer asking the client for input (inputRequired says why the key, not the word). */
const RESULT_TYPE_INPUT_REQUIRED = /"resultType"\s*:\s*"input_required"/;
/** The reason on the result row of a call the server answered `input_required` (2026-07-28). */
const INPUT_REQUIRED_NOTE = 'input_required: the server asks the client for input before it finishes the call; the retry with the answers is a call of its own';

/**
 * Answers a client asks for again and again — autocomplete on every keystroke, a task's status
 * polled — are audited only when the output stage finds something (or the server failed), as
 * clean notifications are not: a row each would bury the reads that matter.
 */
const QUIET_WHEN_CLEAN = new Set(['completion/complete', 'tasks/get', 'tasks/list']);

export function createCallPolicer(ctx: PolicerContext): CallPolicer {
  let lastCallKey = '';
  let identicalCount = 0;
  const toolVerdict = createToolVerdicts(ctx.server);
  const continuations = createContinuations();

  const row = createCallRow(ctx);

  // Rows queued in this tick reach the spool in one write at its end, before any answer
  // to these calls can leave; a failed write marks the call so its answer is withheld.
  const record = (entry: AuditEntry, call: PolicedCall): void => {
    ctx.link.record(entry, (error) => {
      call.auditError = error;
    });
  };

  const deny = (call: PolicedCall, ruleId: string | null, reason: string) => {
    call.finished = true;
    ctx.release(call);
    // A call without a tool name is refused before it has one to name.
    const message = `MCP Firewall denied ${call.info.tool || 'the request'}: ${reason}${ruleId ? ` (rule ${ruleId})` : ''}`;
    try {
      ctx.link.flush();
    } catch {
      // A denial is safe to deliver even if the audit write failed; it is never silent.
    }
    ctx.toClient.send(errorResponse(call.replyId, ErrorCode.PolicyDenied, message, { decision: 'DENY', ruleId, reason }));
  };

  /** Records a denial decided here, then answers with it. */
  const refuse = (call: PolicedCall, ruleId: string | null, reason: string): PolicedCall => {
    record(row(call.info, { decision: 'DENY', ruleId, reason }), call);
    deny(call, ruleId, reason);
    return call;
  };

  const running = new CallSet<PolicedCall>();
  let sweeper: NodeJS.Timeout | null = null;
  const sweep = () => {
    const now = Date.now();
    for (const call of running) {
      if (call.finished) {
        running.delete(call);
        continue;
      }
      if (call.deadline === undefined || call.deadline > now) continue;
      running.delete(call);
      call.finished = true;
      ctx.abandon(call);
      const seconds = call.maxRuntimeSec;
      // Tell the server to stop, as the spec's cancellation flow does; a late answer is dropped.
      ctx.toServer.send(notification('notifications/cancelled', { requestId: call.replyId, reason: `exceeded max_runtime_sec ${seconds}` }));
      ctx.toClient.send(errorResponse(call.replyId, ErrorCode.UpstreamFailed, `MCP Firewall cancelled ${call.info.tool}: it ran longer than max_runtime_sec (${seconds}s)`));
      ctx.link.event(row(call.info, { event: 'result', decision: 'TIMEOUT', reason: `cancelled after ${seconds}s`, latencyMs: now - call.startedAt }));
    }
    if (running.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };

  const dispatch = (call: PolicedCall, raw: Buffer, constraints: Constraints) => {
    if (output.answerFromRelease(staged(call))) {
      call.finished = true;
      ctx.release(call);
      return;
    }
    const seconds = constraints.max_runtime_sec ?? ctx.policy().spec.defaultMaxRuntimeSec;
    ctx.onDispatch?.(call.id, call.info.actionClass, seconds);
    call.dispatched = true;
    ctx.toServer.send(raw);
    call.deadline = Date.now() + seconds * 1000;
    call.maxRuntimeSec = seconds;
    running.add(call);
    // One sweeping timer instead of a timer per call: the hot path only adds to a set.
    sweeper ??= setInterval(sweep, SWEEP_MS);
  };

  // A content request's answer is judged, quarantined and released under its label (a uri,
  // `prompt:NAME` …), as a tool call is under its tool and arguments.
  const contentInfo = (method: string, label: string, id: ReplyId | ReplyId[]): CallInfo => ({
    sessionId: ctx.sessionId, client: ctx.client(), server: ctx.server, method, tool: label, actionClass: 'read',
    argsDigest: digestOf(label), arguments: {}, requestId: JSON.stringify(id),
  });
  const staged = (call: PolicedCall): StagedCall => ({ id: call.replyId, tool: call.info.tool, argsDigest: call.info.argsDigest, info: call.info });
  const output = createOutputStage({
    link: ctx.link,
    toClient: ctx.toClient,
    thresholds: () => ctx.policy().spec.output,
    row: (call, fields) => row(call.info, { ...fields, event: 'result' }),
  });

  const progressSender = (token: unknown, text: string) => {
    // A token the client wrote in a way JSON.stringify would not (digits beyond 2^53…) goes back as written.
    token = exactSource(token, text, ['params', '_meta', 'progressToken']);
    let progress = 0;
    return (text: string) => {
      if (token === undefined) return;
      progress += 1;
      ctx.toClient.send(notification('notifications/progress', { progressToken: token, progress, message: text }));
    };
  };

  /** What a tools/call is, as its audit rows name it, and how the policy reads it. */
  const readCall = (message: JsonRpcMessage, text: string) => {
    const params = (message.params ?? {}) as ParamsShape;
    const tool = typeof params.name === 'string' ? params.name : '';
    const args = params.arguments ?? {};
    const policy = ctx.policy();
    const client = ctx.client();
    const method = String(message.method);
    const emergency = ctx.emergency();
    const verdict = toolVerdict(tool, ctx.tools.get(tool), policy, client, method, emergency);
    const replyId = replyIdOf(message.id ?? null, text);
    const info: CallInfo = {
      sessionId: ctx.sessionId, client, server: ctx.server, method, tool, actionClass: verdict.actionClass,
      ...argumentsDigest(args, text), arguments: args, requestId: JSON.stringify(replyId),
    };
    // The gate decides on the class before annotations too (classVerdict): rare, so set only then.
    if (verdict.beforeAnnotations !== undefined) info.classBeforeAnnotations = verdict.beforeAnnotations;
    return { params, tool, args, policy, emergency, replyId, info, ...verdict };
  };

  /**
   * Decided here, without a person. The server gets the call first and the row is spooled
   * while it works: long before its answer can leave (see finish()).
   */
  const allow = (call: PolicedCall, raw: Buffer, constraints: Constraints, allowRow: AuditEntry): PolicedCall => {
    if (output.hasRelease(staged(call))) {
      // A released result answers at once, so its row goes first.
      call.auditError = recordNow(ctx.link, allowRow);
      if (call.auditError) deny(call, null, `the decision could not be recorded (${call.auditError.message})`);
      else dispatch(call, raw, constraints);
    } else {
      dispatch(call, raw, constraints);
      record(allowRow, call);
    }
    return call;
  };

  /**
   * The result of a 2026-07-28 call the server answered `input_required` (with its
   * `requestState`), or undefined. A large answer may have come unparsed, and a line that does
   * not parse asks for nothing (the client cannot read it either).
   */
  const inputRequired = (answer: Answer): { requestState?: unknown } | undefined => {
    // The key as a key (a string's quotes are escaped): a large result that merely mentions
    // the word is not parsed a second time.
    if (!ctx.stateless() || answer.failed || !RESULT_TYPE_INPUT_REQUIRED.test(answer.text)) return undefined;
    let result = answer.result as { resultType?: unknown; requestState?: unknown } | undefined;
    try {
      result ??= (JSON.parse(answer.text) as JsonRpcMessage).result as typeof result;
    } catch {
      return undefined;
    }
    return result?.resultType === 'input_required' ? result : undefined;
  };

  return {
    handle(message, raw, text) {
      const { params, tool, args, policy, emergency, replyId, info, untrusted, byPolicy } = readCall(message, text);
      const actionClass = info.actionClass;
      const call: PolicedCall = { id: message.id ?? null, replyId, info, startedAt: Date.now(), auditError: null, finished: false, dispatched: false, untrusted };
      if (ctx.link.closed) {
        // Fail closed: with no engine there is no approver, so nothing runs. The session's
        // spool stays open meanwhile and the engine folds it when the shim is back, so the
        // refusal is audited (and still delivered if the spool write fails: it is a refusal).
        call.auditError = new Error(ENGINE_GONE);
        return refuse(call, null, `${ENGINE_GONE}; start it with \`mcp-firewall serve\``);
      }
      if (!tool) return refuse(call, null, 'tools/call without a tool name');
      const blockedBecause = ctx.heldReason(tool);
      if (blockedBecause !== null) return refuse(call, 'manifest-pin', `tool '${tool}' is held: ${blockedBecause}`);
      const key = `${tool}\u0000${info.argsDigest}`;
      const guard = ctx.guards.check(key, call.startedAt, policy.spec.guards);
      if (guard?.decision === 'DENY' && byPolicy.decision !== 'DENY') return refuse(call, guard.ruleId, guard.reason);
      const leak = argumentLeak(args, policy.spec.output, text);
      if (leak?.decision === 'DENY' && byPolicy.decision !== 'DENY') return refuse(call, leak.ruleId, leak.reason);
      const answered = answersLeak(params.inputResponses, policy.spec.output, text);
      if (answered?.decision === 'DENY' && byPolicy.decision !== 'DENY') return refuse(call, answered.ruleId, answered.reason);
      if (answered) showAnswers(info, params.inputResponses, text);
      // Every finding, not the first: one that asks every time must not hide behind another.
      const escalation = combinedEscalation<{ ruleId: string; reason: string }>([
        guard, leak?.decision === 'REQUIRE_APPROVAL' ? leak : null, answered,
        actionClass !== 'read' ? ctx.taint.check(args, policy.spec.guards.retrievalHeavyCalls) : null,
      ]);
      // Recorded when the policy asks anyway too: it is what keeps a "session" grant for the
      // tool from standing in for this call (call-gate.ts), and what the approver is told.
      if (escalation && byPolicy.decision !== 'DENY') info.escalation = { ruleId: escalation.ruleId, reason: escalation.reason };
      const escalated = escalatedVerdict(byPolicy, info.escalation);
      const verdict = pausedVerdict(escalated, ctx.pausedUntil(), emergency, info.escalation);

      // The retry of an approved call the server answered input_required: the action a person
      // approved, continued. Not when anything about it would be asked about afresh: answers
      // that carry a finding, another rule or finding, a guard that asks every time, emergency.
      const continued = verdict.decision === 'REQUIRE_APPROVAL' && params.inputResponses !== undefined && answered === null && !emergency && !asksEveryTime(info.escalation)
        ? continuations.take(key, params.requestState)
        : undefined;
      if (continued && continued.ruleId === verdict.ruleId && sameEscalation(continued.escalation, info.escalation)) {
        call.approved = continued;
        const reason = `continued approval ${continued.approvalId}: the retry of the call it approved, which the server answered input_required`;
        // The rule's constraints as the policy says them now (same rule, checked above): a
        // max_runtime_sec lowered since the approval applies to the retry too.
        return allow(call, raw, verdict.constraints, row(info, { decision: 'ALLOW', ruleId: verdict.ruleId, approvalId: continued.approvalId, reason }));
      }

      // `max_retries`: an identical call (same tool, same arguments) repeated back to back.
      identicalCount = key === lastCallKey ? identicalCount + 1 : 1;
      lastCallKey = key;
      const retries = verdict.constraints.max_retries;
      if (retries !== undefined && identicalCount > retries + 1 && verdict.decision !== 'DENY') {
        return refuse(call, verdict.ruleId, `identical call repeated ${identicalCount} times; max_retries is ${retries}`);
      }

      if (verdict.decision === 'ALLOW') return allow(call, raw, verdict.constraints, row(info, { decision: 'ALLOW', ruleId: verdict.ruleId, reason: verdict.reason }));
      if (verdict.decision === 'DENY') return refuse(call, verdict.ruleId, verdict.reason);
      // REQUIRE_APPROVAL: the engine owns the queue, remembered grants and the audit row.
      const progress = progressSender(params._meta?.progressToken, text);
      const asked = ctx.link.decide(info, verdict.ruleId, verdict.reason, progress);
      call.cancelApproval = asked.cancel;
      asked.verdict.then(
        (answer) => {
          call.cancelApproval = undefined;
          if (call.finished) return;
          if (answer.decision !== 'ALLOW') return deny(call, answer.ruleId, answer.reason);
          const approved = () => {
            // Cancelled by the client, or ended (the server gone), while it waited for the look.
            if (call.finished) return;
            // The tool may have been held (drifted, unlisted) while the person decided: what they
            // approved is no longer what the server offers, so it is not sent.
            const heldNow = ctx.heldReason(tool);
            if (heldNow !== null) return refuse(call, 'manifest-pin', `tool '${tool}' is held: ${heldNow} (it was held while the approval was asked, and was not sent)`);
            // The engine read the policy when the person answered; a call that then waited for
            // the look (up to its 10 s) is read against the policy as it is when it would leave.
            if (waited) {
              const now = toolVerdict(tool, ctx.tools.get(tool), ctx.policy(), info.client, info.method, ctx.emergency()).byPolicy;
              if (now.decision === 'DENY') return refuse(call, now.ruleId, `approved, but the policy reloaded while it waited for the firewall's look at the tools denies it: ${now.reason}`);
            }
            if (answer.approvalId) call.approved = { approvalId: answer.approvalId, ruleId: verdict.ruleId, escalation: info.escalation, rounds: 0 };
            try {
              dispatch(call, raw, answer.constraints);
            } catch (error) {
              // Run from the look's queue, a throw would strand the calls queued behind this one;
              // run from here, it would be an unhandled rejection that ends the shim.
              if (!call.finished) refuse(call, null, `the approved call could not be sent: ${(error as Error).message}`);
            }
          };
          // The server said its tools changed while the person decided, and the firewall's look
          // has not ended: what it finds decides whether the call goes. Sent now, it would run
          // against a definition nobody checked (a rug pull timed with the approval). It waits
          // as a new call does, within the look's deadline; a look that fails refuses it.
          let waited = false;
          if (ctx.afterToolsLook(() => ((waited = true), approved()))) progress(`Approved; waiting for MCP Firewall's look at the tools of '${ctx.server}' before it is sent`);
          else approved();
        },
        (error: Error) => {
          // Recorded too: the spool outlives the engine, and its next start folds the row in.
          if (!call.finished) refuse(call, null, `approval could not be obtained: ${error.message}`);
        },
      );
      return call;
    },

    finish(call, answer) {
      if (call.finished) return;
      call.finished = true;
      running.delete(call);
      const latencyMs = Date.now() - call.startedAt;
      if (call.auditError) {
        // Fail closed: a result whose decision was never recorded does not reach the model.
        ctx.toClient.send(errorResponse(call.replyId, ErrorCode.FirewallUnavailable, `MCP Firewall withheld the result of ${call.info.tool}: ${call.auditError.message}`));
        return;
      }
      try {
        const asks = inputRequired(answer);
        // Its result row says so: PASS alone would read as the call done, when the server is
        // waiting for the client's answers and the call's retry (audited on its own) comes next.
        const delivered = output.deliver(asks ? { ...staged(call), note: INPUT_REQUIRED_NOTE } : staged(call), answer, latencyMs);
        // Only an answer the client got (as is, or redacted) can be retried under the approval: a quarantined one continues nothing.
        if (asks && delivered && call.approved) continuations.offer(`${call.info.tool}\u0000${call.info.argsDigest}`, call.approved, asks.requestState);
        ctx.taint.observe(call.info.tool, call.untrusted, answer.result);
      } catch (error) {
        // Fail closed: a result the output stage could not check does not reach the model.
        const reason = `MCP Firewall withheld the result of ${call.info.tool}: it could not be checked (${(error as Error).message})`;
        ctx.toClient.send(errorResponse(call.replyId, ErrorCode.FirewallUnavailable, reason));
        ctx.link.event(row(call.info, { event: 'result', decision: 'ERROR', reason, latencyMs }));
      }
    },

    inspect(method, label, id, answer) {
      const info = contentInfo(method, label, id);
      try {
        const note = inputRequired(answer) ? { note: INPUT_REQUIRED_NOTE } : {};
        output.deliver({ id, tool: label, argsDigest: info.argsDigest, info, quietWhenClean: QUIET_WHEN_CLEAN.has(method), ...note }, answer, 0);
      } catch (error) {
        // Fail closed, as for tool results.
        ctx.toClient.send(errorAnswer(id, ErrorCode.FirewallUnavailable, `MCP Firewall withheld an answer from '${ctx.server}': it could not be checked (${(error as Error).message})`));
      }
    },

    releasesWaiting: () => output.releasesWaiting(),

    answerReleased(method, label, id) {
      if (!output.releasesWaiting()) return false;
      const info = contentInfo(method, label, id);
      return output.answerFromRelease({ id, tool: label, argsDigest: info.argsDigest, info });
    },

    abort(call, reason) {
      if (call.finished) return;
      call.finished = true;
      running.delete(call);
      ctx.toClient.send(errorResponse(call.replyId, ErrorCode.UpstreamFailed, reason));
      if (call.cancelApproval) {
        // Still waiting for a person: the server never had it. Withdrawing it is the engine's
        // DENY row; a result row would say the server failed a call it was never sent.
        call.cancelApproval();
        return;
      }
      // Approved and waiting for the firewall's look at the tools: the row closes the approved
      // call, and says the server never had it (it did not fail it).
      const why = call.dispatched ? reason : `${reason}; the call was approved and waiting for the firewall's look at the tools: never sent to the server`;
      ctx.link.event(row(call.info, { event: 'result', decision: 'ERROR', reason: why, latencyMs: Date.now() - call.startedAt }));
    },

    cancel(call, reason) {
      if (call.finished) return;
      call.finished = true;
      running.delete(call);
      // The client's words, bounded: the row is for reading, not for storing what a client sends.
      const words = reason ? `: ${reason.slice(0, 200)}` : '';
      if (!call.dispatched) {
        // Approved, and waiting for the firewall's look at the tools: the server never had it,
        // so no late answer is to be dropped and its id is free again.
        ctx.release(call);
        const why = `cancelled by the client after it was approved, while it waited for the firewall's look at the tools; never sent to the server${words}`;
        ctx.link.event(row(call.info, { event: 'result', decision: 'CANCELLED', reason: why, latencyMs: Date.now() - call.startedAt }));
        return;
      }
      ctx.abandon(call);
      const why = `cancelled by the client${words}`;
      ctx.link.event(row(call.info, { event: 'result', decision: 'CANCELLED', reason: why, latencyMs: Date.now() - call.startedAt }));
    },

    cancelUndecided(message, text, reason, since) {
      const { info } = readCall(message, text);
      const why = `cancelled by the client before it was decided (it waited for the firewall's look at the tools); never sent to the server${reason ? `: ${reason.slice(0, 200)}` : ''}`;
      ctx.link.event(row(info, { event: 'result', decision: 'CANCELLED', reason: why, latencyMs: Date.now() - since }));
    },
    recordStopped(message, text, reason) {
      const { info } = readCall(message, text);
      // A refusal is safe to deliver even when its row could not be written: the error is not kept from the client.
      recordNow(ctx.link, row(info, { decision: 'DENY', ruleId: 'server-stopped', reason }));
    },
  };
}
