import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { asksEveryTime } from '../guard/asks-every-time.js';
import type { CallInfo } from '../ipc/protocol.js';
import type { CompiledPolicy } from '../policy/evaluate.js';
import { classVerdict, escalatedVerdict } from '../policy/effective-verdict.js';
import { pausedVerdict } from '../policy/pause.js';
import { ACTION_CLASSES, type ActionClass, type Constraints, type Decision } from '../policy/types.js';
import { nowIso } from '../store/database.js';
import type { ApprovalOutcome, ApprovalQueue } from './approval-queue.js';

export interface GateVerdict {
  decision: Decision;
  ruleId: string | null;
  reason: string;
  approvalId: string | null;
  constraints: Constraints;
}

export interface CallGate {
  /**
   * The engine's final word on a call the shim could not settle alone. Writes the
   * audit row before it resolves, so the shim can answer as soon as it has the verdict.
   */
  decide(call: CallInfo, actorId: string, onProgress: (message: string) => void): { verdict: Promise<GateVerdict>; cancel(): void };
}

export interface CallGateDeps {
  approvals: ApprovalQueue;
  audit: AuditLog;
  /** Writes a row to the session's audit spool (Spool.append): where it goes when the table refuses it. */
  spoolRow: (sessionId: string, entry: AuditEntry) => void;
  policy: () => CompiledPolicy;
  emergency: () => boolean;
  pausedUntil: () => string | null;
  progressIntervalMs: number;
}

function outcomeVerdict(outcome: ApprovalOutcome, timeoutSec: number): Pick<GateVerdict, 'decision' | 'reason'> {
  switch (outcome.status) {
    case 'allowed':
      return { decision: 'ALLOW', reason: `approved (${outcome.scope})` };
    case 'denied':
      return { decision: 'DENY', reason: 'denied by the approver' };
    case 'timeout':
      return { decision: 'DENY', reason: `no approval within ${timeoutSec}s` };
    case 'cancelled':
      return { decision: 'DENY', reason: 'the call was cancelled while waiting for approval' };
    case 'failed':
      return { decision: 'DENY', reason: outcome.reason };
  }
}

export function createCallGate(deps: CallGateDeps): CallGate {
  return {
    decide(call, actorId, onProgress) {
      const policy = deps.policy();
      const labels = {
        'mcp.server': call.server,
        'mcp.tool': call.tool,
        'mcp.action': call.actionClass as ActionClass,
        'mcp.client': call.client,
        'mcp.method': call.method,
      };
      // The class the shim says the tool's name gave it, when annotations raised it (only a known class counts).
      const before = ACTION_CLASSES.includes(call.classBeforeAnnotations as ActionClass) ? call.classBeforeAnnotations : undefined;
      const byPolicy = classVerdict(policy, labels, deps.emergency(), before);
      const asked = escalatedVerdict(byPolicy, call.escalation);
      const verdict = pausedVerdict(asked, deps.pausedUntil(), deps.emergency(), call.escalation);
      const write = (v: GateVerdict): GateVerdict => {
        const entry: AuditEntry = {
          event: 'call', decision: v.decision, actorId, client: call.client, serverName: call.server, toolName: call.tool,
          method: call.method, actionClass: call.actionClass, approvalId: v.approvalId, ruleId: v.ruleId, reason: v.reason,
          sessionId: call.sessionId, requestId: call.requestId, argsDigest: call.argsDigest, eventTime: nowIso(),
        };
        try {
          deps.audit.append(entry);
        } catch (error) {
          // A write lock another process held past busy_timeout refuses this row, and with it,
          // often, the approval's outcome that made it (approval-queue.ts): without a row the
          // call would be denied with nothing in the audit to say why. The spool is as durable
          // as the shim's own rows, which is how most calls are audited, so the verdict stands.
          // Spooled neither, it is not given: the shim denies with the table's error.
          try {
            deps.spoolRow(call.sessionId, entry);
          } catch {
            throw error;
          }
        }
        return v;
      };
      const base = { ruleId: verdict.ruleId, constraints: verdict.constraints };
      if (verdict.decision !== 'REQUIRE_APPROVAL') {
        return { verdict: Promise.resolve(write({ ...base, decision: verdict.decision, reason: verdict.reason, approvalId: null })), cancel() {} };
      }
      // A taint, guard or DLP escalation is about this call's data, so only an answer for these
      // exact arguments covers it, not a session-wide grant for the tool.
      // Emergency write approval means a person looks at every non-read call while it is on
      // (the seed's containment): an answer remembered from before does not stand in for one.
      // Nor for a guard that caught the session in the act (a burst, a deep chain): it asks
      // every time, or a grant given in calmer times would silence it (asks-every-time.ts).
      // Only a tools/call is covered: a client's answer to the server's sampling request is
      // asked every time (onlyOnceReason), and its method would read as a tool's name.
      const grant = (deps.emergency() && call.actionClass !== 'read') || asksEveryTime(call.escalation) || call.method !== 'tools/call'
        ? null
        : deps.approvals.findGrant(call.escalation ? null : call.sessionId, call.server, call.tool, call.argsDigest);
      if (grant) {
        return { verdict: Promise.resolve(write({ ...base, decision: 'ALLOW', reason: 'covered by an earlier approval', approvalId: grant })), cancel() {} };
      }
      const timeoutSec = policy.spec.approvalTimeoutSec;
      // The policy may have come to deny the call while it waited (a rule added in an incident):
      // an answer from a dialog opened before that does not override it.
      const answeredVerdict = (outcome: ApprovalOutcome): GateVerdict | null => {
        if (outcome.status !== 'allowed') return null;
        const now = classVerdict(deps.policy(), labels, deps.emergency(), before);
        if (now.decision !== 'DENY') return null;
        return { decision: 'DENY', ruleId: now.ruleId, constraints: now.constraints, approvalId: outcome.approvalId, reason: `approved (${outcome.scope}), but the policy now denies it: ${now.reason}` };
      };
      // The row is written when the approval settles, not a turn later: an engine stopping
      // with calls parked settles them and closes the database straight after.
      let written: { verdict: GateVerdict } | { error: unknown } | undefined;
      const parked = deps.approvals.request({ ...call, ruleId: verdict.ruleId, reason: verdict.reason }, timeoutSec * 1000, (outcome) => {
        clearInterval(ticker);
        try {
          written = { verdict: write(answeredVerdict(outcome) ?? { ...base, ...outcomeVerdict(outcome, timeoutSec), approvalId: outcome.approvalId }) };
        } catch (error) {
          written = { error };
        }
      });
      // Settling happens in a later turn (an answer, the timeout, close()), so `ticker` is set by then.
      const ticker = setInterval(() => onProgress(`Waiting for approval ${parked.id} in MCP Firewall`), deps.progressIntervalMs);
      const result = parked.outcome.then(() => {
        if (written && 'verdict' in written) return written.verdict;
        throw written?.error ?? new Error('the approval ended without a verdict');
      });
      return { verdict: result, cancel: () => deps.approvals.cancel(parked.id) };
    },
  };
}
