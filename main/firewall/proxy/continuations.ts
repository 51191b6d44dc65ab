// MCP 2026-07-28 replaced the server's own requests (elicitation, sampling) with multi
// round-trip requests: a tools/call is answered `resultType: "input_required"` with what the
// server needs, and the client sends the same call again, on a new id, with
// `params.inputResponses` (and the server's opaque `requestState` echoed). Asked as a new
// call, a write a person approved was put to them a second time for the same action, and
// audited as two approvals. An approved call answered input_required leaves a continuation:
// its retry, in this session, with the same tool and argument digest, runs under the same
// approval, once.

/** How long a continuation waits for its retry: the user may be filling in the server's form. */
export const CONTINUATION_TTL_MS = 10 * 60_000;
/** Continuations kept at once; past this the oldest goes (its retry then asks again). */
const MAX_CONTINUATIONS = 16;
/** Rounds of input_required one approval carries: a server that never completes is asked about again. */
export const MAX_CONTINUED_ROUNDS = 8;

/** The approval a call ran under, as far as its retry needs it. */
export interface Approved {
  approvalId: string;
  /** The rule that asked, and the finding that made it ask (if any): a retry asked for otherwise is asked about. */
  ruleId: string | null;
  escalation: { ruleId: string; reason: string } | undefined;
  /** How many input_required answers this approval has been carried through. */
  rounds: number;
}

export interface Continuations {
  /** An approved call was answered input_required (with `requestState`, if the server sent one): its retry may continue. */
  offer(key: string, approved: Approved, requestState: unknown): void;
  /**
   * The approval a retry continues, taken (a continuation serves one retry): the retry must
   * echo the requestState the server sent (none if it sent none: see stateOf). Undefined when there is none to continue.
   */
  take(key: string, requestState: unknown): Approved | undefined;
}

/**
 * The requestState a retry must echo, as compared: none only matches none, a string itself,
 * anything else its JSON text (the server's state is opaque; the client echoes it as sent).
 */
function stateOf(requestState: unknown): string {
  if (requestState === undefined) return 'none';
  if (typeof requestState === 'string') return `string:${requestState}`;
  return `json:${JSON.stringify(requestState)}`;
}

export function createContinuations(now: () => number = Date.now): Continuations {
  const waiting = new Map<string, { approved: Approved; state: string; expires: number }>();
  return {
    offer(key, approved, requestState) {
      if (approved.rounds >= MAX_CONTINUED_ROUNDS) return;
      waiting.delete(key);
      waiting.set(key, { approved: { ...approved, rounds: approved.rounds + 1 }, state: stateOf(requestState), expires: now() + CONTINUATION_TTL_MS });
      if (waiting.size > MAX_CONTINUATIONS) waiting.delete(waiting.keys().next().value!);
    },
    take(key, requestState) {
      if (waiting.size === 0) return undefined;
      const entry = waiting.get(key);
      if (!entry) return undefined;
      // Consumed whatever comes of it: a retry that does not match asks, and so does the next.
      waiting.delete(key);
      if (entry.expires < now()) return undefined;
      if (stateOf(requestState) !== entry.state) return undefined;
      return entry.approved;
    },
  };
}
