import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { immediateTransactions, nowIso } from '../store/database.js';
import { scopeRefusal } from './scope-refusal.js';
import { createUnrecordedOutcomes } from './unrecorded-outcomes.js';

export type ApprovalScope = 'once' | 'session' | 'always';
export const APPROVAL_SCOPES: readonly ApprovalScope[] = ['once', 'session', 'always'];

export interface ApprovalRequest {
  sessionId: string;
  client: string;
  server: string;
  /** 'tools/call', or the request a client's answer is to ('sampling/createMessage'): only a tools/call's answer is remembered (onlyOnceReason). */
  method: string;
  tool: string;
  actionClass: string;
  argsDigest: string;
  /** Shown to the approver; kept in memory only, never written to disk. */
  arguments: unknown;
  /** Shown instead of `arguments` when a number in them did not survive JSON.parse: the server gets this text. */
  argumentsSource?: string;
  ruleId: string | null;
  reason: string;
  /** The guard, taint or DLP finding that made it wait, if any: a guard's allows only "once" (scope-refusal.ts). */
  escalation?: { ruleId: string; reason: string };
}

export interface PendingApproval extends ApprovalRequest {
  id: string;
  requestedAt: string;
  expiresAt: string;
}

/**
 * An answer wider than "once" the call does not admit (scopeRefusal says why): its arguments
 * were cut in the preview and nobody has been shown them in full, or a guard holds it for what
 * the session is doing now; or a scope the queue does not know. Nothing is answered: the
 * call stays parked.
 */
export class WideScopeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WideScopeRefusedError';
  }
}

/**
 * The store refused to write an answer (a full disk, a write lock another process held past
 * busy_timeout). Thrown by answer() after the call is settled: it is denied whatever the
 * answer was, and is no longer waiting, so the approver is told both instead of "allowed".
 */
export class ApprovalNotRecordedError extends Error {
  constructor(verdict: 'allow' | 'deny', reason: string) {
    super(verdict === 'allow' ? `the call was denied, not allowed: ${reason}` : `the call was denied, but ${reason}`);
    this.name = 'ApprovalNotRecordedError';
  }
}

export type ApprovalOutcome =
  | { status: 'allowed'; approvalId: string; scope: ApprovalScope }
  | { status: 'denied' | 'timeout' | 'cancelled'; approvalId: string }
  /** The answer could not be written to the store: the call is denied, whatever the answer was. */
  | { status: 'failed'; approvalId: string; reason: string };

export interface ApprovalQueue {
  /**
   * Parks a call until someone answers, the timeout passes, or it is cancelled.
   * `onSettled` hears the outcome at once, in the same turn (close() included), before
   * `outcome` resolves: what must be written about it is written while the store is open.
   */
  request(request: ApprovalRequest, timeoutMs: number, onSettled?: (outcome: ApprovalOutcome) => void): { id: string; outcome: Promise<ApprovalOutcome> };
  /**
   * False when no such call is parked. Allowing wider than "once" a call whose arguments
   * were cut in the preview and never shown in full, or one a guard holds (fan-out, chain
   * depth), throws WideScopeRefusedError, whoever answers: "session" or "always" must not
   * allow text nobody read, nor silence a guard for good. An answer the store refuses to
   * write throws ApprovalNotRecordedError, the call denied and no longer waiting.
   */
  answer(id: string, verdict: 'allow' | 'deny', scope?: ApprovalScope): boolean;
  cancel(id: string): void;
  /** Cancels every call of the server still waiting (it was disabled); how many. */
  cancelServer(server: string): number;
  list(): PendingApproval[];
  /** Records that all of a pending call's arguments were shown (dashboard "Show all", `approvals show`). */
  noteShownInFull(id: string): void;
  /** An earlier "session" or "always" answer that covers this call, if any; with no session, only an "always" one. */
  findGrant(sessionId: string | null, server: string, tool: string, argsDigest: string): string | null;
  /** Forgets every "session" and "always" answer for the server (containment); how many. */
  forgetGrants(server: string): number;
  /** Forgets the session's "session" answers: it ended, and its grants would only pile up. */
  forgetSession(sessionId: string): void;
  onChange(listener: () => void): () => void;
  /** Denies everything still waiting: the engine is stopping. */
  close(): void;
}

interface Parked {
  pending: PendingApproval;
  settle: (outcome: ApprovalOutcome) => void;
  onSettled?: (outcome: ApprovalOutcome) => void;
  timer: NodeJS.Timeout;
  /** Date.now() at which it times out: the timer may run late on a busy event loop. */
  deadline: number;
  shownInFull?: boolean;
}

export function newApprovalId(): string {
  return `apr_${randomBytes(6).toString('base64url')}`;
}

/** Deletes the server's "always" answers from the store; how many. Also for the CLI editing the store with no engine running. */
export function forgetStoredGrants(db: DatabaseSync, server: string): number {
  return Number(db.prepare('DELETE FROM approval_grants WHERE server_name = ?').run(server).changes);
}

export function createApprovalQueue(db: DatabaseSync): ApprovalQueue {
  const parked = new Map<string, Parked>();
  // Keyed by session, server and tool; the server and session are kept beside the approval id
  // so that containment and a session's end find their grants without parsing the key.
  const sessionGrants = new Map<string, { approvalId: string; server: string; sessionId: string }>();
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  const sessionKey = (sessionId: string, server: string, tool: string) => `${sessionId}\u0000${server}\u0000${tool}`;
  // Calls parked by an engine that died without close() (a crash, SIGKILL) are gone with its
  // memory: their shims failed closed. Their rows must not read as pending forever.
  db.prepare("UPDATE approvals SET status = 'cancelled', decided_at = ? WHERE status = 'pending'").run(nowIso());
  const insert = db.prepare(
    `INSERT INTO approvals (id, requested_at, session_id, client, server_name, tool_name, action_class, args_digest, rule_id, reason, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
  );
  const finish = db.prepare('UPDATE approvals SET status = ?, scope = ?, decided_at = ? WHERE id = ?');
  const findAlways = db.prepare('SELECT approval_id FROM approval_grants WHERE server_name = ? AND tool_name = ? AND args_digest = ?');
  const insertAlways = db.prepare(
    `INSERT OR REPLACE INTO approval_grants (server_name, tool_name, args_digest, approval_id, created_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const inTransaction = immediateTransactions(db);
  const unrecorded = createUnrecordedOutcomes(db);
  // An engine from before answers to sampling requests were allowed only "once" may have
  // stored an "always" for one, keyed by the method as its tool name: a server's tool named
  // 'sampling/createMessage' called with the same arguments would run unasked under it.
  // (Such a tool name breaks the spec's tool-name charset; a real one just asks again.)
  db.prepare('DELETE FROM approval_grants WHERE tool_name IN (?, ?)').run('sampling/createMessage', 'elicitation/create');

  // The entry leaves `parked` before anything can throw, so whatever throws here, the call
  // must still get its outcome: otherwise nothing (no answer, no timer, no close()) ever
  // settles it, and the client waits on it until its own timeout.
  function settle(id: string, outcome: ApprovalOutcome, scope: ApprovalScope | null): ApprovalOutcome | null {
    const entry = parked.get(id);
    if (!entry) return null;
    parked.delete(id);
    clearTimeout(entry.timer);
    const settled = recorded(entry.pending, outcome, scope);
    try {
      entry.onSettled?.(settled);
    } finally {
      entry.settle(settled);
      notify();
    }
    return settled;
  }

  /**
   * The outcome once written; if the store refuses the write (a full disk, an I/O error), a
   * failure that denies the call (fail closed): an allow the store does not hold is not given.
   * An allow's "session" or "always" grant is kept only with it: a grant left behind by an
   * allow that was denied would allow the client's retry of the same call, "covered by an
   * earlier approval" that never read 'allowed' (an "always" one across restarts too).
   */
  function recorded(pending: PendingApproval, outcome: ApprovalOutcome, scope: ApprovalScope | null): ApprovalOutcome {
    const grants = outcome.status === 'allowed' ? scope : null;
    const { id, sessionId, server, tool, argsDigest } = pending;
    try {
      // One transaction: the outcome and the "always" grant are written both or neither.
      inTransaction(() => {
        finish.run(outcome.status, scope, nowIso(), outcome.approvalId);
        if (grants === 'always') insertAlways.run(server, tool, argsDigest, id, nowIso());
      });
    } catch (error) {
      // Out of `parked` already (settle), so nothing offers it as waiting, and answering it
      // again finds no such call: it cannot be allowed later by an answer that did get written.
      unrecorded.add(id);
      return { status: 'failed', approvalId: outcome.approvalId, reason: `the approval's outcome could not be recorded: ${(error as Error).message}` };
    }
    unrecorded.retry();
    if (grants === 'session') sessionGrants.set(sessionKey(sessionId, server, tool), { approvalId: id, server, sessionId });
    return outcome;
  }

  return {
    request(request, timeoutMs, onSettled) {
      const id = newApprovalId();
      const now = Date.now();
      const pending: PendingApproval = {
        ...request,
        id,
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + timeoutMs).toISOString(),
      };
      insert.run(id, pending.requestedAt, request.sessionId, request.client, request.server, request.tool,
        request.actionClass, request.argsDigest, request.ruleId, request.reason);
      unrecorded.retry();
      const outcome = new Promise<ApprovalOutcome>((resolve) => {
        const timer = setTimeout(() => settle(id, { status: 'timeout', approvalId: id }, null), timeoutMs);
        timer.unref();
        parked.set(id, { pending, settle: resolve, timer, deadline: now + timeoutMs, ...(onSettled ? { onSettled } : {}) });
      });
      notify();
      return { id, outcome };
    },
    forgetGrants(server) {
      let forgotten = forgetStoredGrants(db, server);
      for (const [key, grant] of sessionGrants) {
        if (grant.server !== server) continue;
        sessionGrants.delete(key);
        forgotten++;
      }
      return forgotten;
    },
    forgetSession(sessionId) {
      for (const [key, grant] of sessionGrants) if (grant.sessionId === sessionId) sessionGrants.delete(key);
    },
    answer(id, verdict, scope = 'once') {
      const entry = parked.get(id);
      if (!entry) return false;
      // Past its deadline the call has timed out, whether or not the timer has run yet: the
      // approver was told it would be denied then, and the client may have given up on it.
      if (Date.now() >= entry.deadline) {
        settle(id, { status: 'timeout', approvalId: id }, null);
        return false;
      }
      // Only the word "allow" allows: whatever else reaches here (a caller that passed its
      // input through unchecked) denies, and a scope it does not know answers nothing.
      const allows = verdict === 'allow';
      if (allows && !APPROVAL_SCOPES.includes(scope)) throw new WideScopeRefusedError(`scope must be one of ${APPROVAL_SCOPES.join(', ')}`);
      const refusal = allows ? scopeRefusal(entry.pending, scope, entry.shownInFull === true) : undefined;
      if (refusal) throw new WideScopeRefusedError(refusal);
      const outcome = allows
        ? settle(id, { status: 'allowed', approvalId: id, scope }, scope)
        : settle(id, { status: 'denied', approvalId: id }, null);
      if (outcome?.status === 'failed') throw new ApprovalNotRecordedError(allows ? 'allow' : 'deny', outcome.reason);
      return true;
    },
    cancel(id) {
      settle(id, { status: 'cancelled', approvalId: id }, null);
    },
    cancelServer(server) {
      const ids = [...parked.values()].filter((entry) => entry.pending.server === server).map((entry) => entry.pending.id);
      for (const id of ids) settle(id, { status: 'cancelled', approvalId: id }, null);
      return ids.length;
    },
    list: () => [...parked.values()].map((entry) => entry.pending),
    noteShownInFull(id) {
      const entry = parked.get(id);
      if (entry) entry.shownInFull = true;
    },
    findGrant(sessionId, server, tool, argsDigest) {
      const session = sessionId === null ? undefined : sessionGrants.get(sessionKey(sessionId, server, tool));
      if (session) return session.approvalId;
      const always = findAlways.get(server, tool, argsDigest) as { approval_id: string } | undefined;
      return always?.approval_id ?? null;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const id of [...parked.keys()]) settle(id, { status: 'cancelled', approvalId: id }, null);
      unrecorded.retry();
    },
  };
}
