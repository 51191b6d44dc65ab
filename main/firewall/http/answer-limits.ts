import { MAX_MESSAGE_BYTES } from '../proxy/oversize.js';

/**
 * The shim's bound (proxy/oversize.ts), for remote answers: every message is held whole to
 * be policed, so a remote server that sends one without end would otherwise grow the
 * engine — which every session shares — until it runs out of memory. The same bound for
 * an SSE event and a JSON body.
 */
export const MAX_ANSWER_BYTES = MAX_MESSAGE_BYTES;

/** A size for an error text: MiB, or KiB below one MiB (a bound a test set small). */
function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(0)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

export class AnswerTooLarge extends Error {
  constructor(limit: number) {
    super(`sent a message larger than ${sizeText(limit)}, more than the firewall checks; it was dropped`);
  }
}

/**
 * What one server's answers may hold in the engine at once, all its sessions together,
 * while they are read and until the relay has taken them. MAX_ANSWER_BYTES bounds one
 * answer; without this, a client asking N things at once (N its own choice) of a server
 * answering each with 64 MiB had the engine hold N times that.
 */
export const MAX_BUFFERED_ANSWER_BYTES = 2 * MAX_ANSWER_BYTES;

export class AnswersOverBudget extends AnswerTooLarge {
  constructor(limit: number) {
    super(limit);
    this.message = `sent answers larger than ${sizeText(limit)} together at once, more than the firewall holds for one server; this one was dropped (ask for less at a time)`;
  }
}

/**
 * How long a POST's event stream may go with nothing on it before its requests are given up:
 * as long as a server may take to start answering (upstream-fetch.ts). A server that went
 * silent, or died without the connection saying so, held an engine socket and the client's
 * requests for ever. Any bytes count, keep-alive comments included: they are how a server
 * running a long tool says so when the client asked for no progress, and cutting that tool
 * off would break work the client is waiting for (the client's own timeout is its call). A
 * server that trickles bytes to hold a socket holds one per request, within the session caps.
 */
export const POST_STREAM_IDLE_MS = 5 * 60_000;

export class AnswerStreamIdle extends Error {
  /**
   * `silent`: what the server did not send (a message on the POST's stream; any more of a
   * JSON body); `given`: what the firewall did about it.
   */
  constructor(idleMs: number, silent = 'no message on the stream answering this request', given = 'stopped waiting and closed it') {
    super(`sent ${silent} for ${durationText(idleMs)}; the firewall ${given}`);
  }
}

/** A wait for an error text: minutes, seconds, or milliseconds (a bound a test set short). */
export function durationText(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** The rule id of the protocol row for an event a long-lived stream dropped past the budget. */
export const ANSWER_BUDGET_RULE = 'answer-budget';

/** The bytes of answers being held for one server (see MAX_BUFFERED_ANSWER_BYTES). */
export interface AnswerBudget {
  /** Counts `bytes` more; throws AnswersOverBudget (counting nothing) past the limit. */
  take(bytes: number): void;
  give(bytes: number): void;
}

export function createAnswerBudget(limit = MAX_BUFFERED_ANSWER_BYTES): AnswerBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > limit) throw new AnswersOverBudget(limit);
      held += bytes;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
  };
}

/** No bound beyond each answer's own (an adapter given no budget). */
export const UNBOUNDED_BUDGET: AnswerBudget = { take: () => {}, give: () => {} };

/**
 * The body as text, refusing (and cancelling) it past `maxBytes`, or when `budget` has no
 * room for what came. What it read stays taken from `budget` (the caller gives it back once
 * the text is through; `taken` says how much), and is given back here when it fails.
 * `idleMs`: past this long with nothing more of the body, it is cancelled (AnswerStreamIdle):
 * a server that sent its headers and then held the body open held the socket for ever.
 */
export async function readTextBounded(response: Response, maxBytes = MAX_ANSWER_BYTES, budget = UNBOUNDED_BUDGET, taken?: { bytes: number }, idleMs?: number): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  let idled = false;
  // Cancelling the reader ends the read under way (done) and lets the socket go.
  const idle = idleMs === undefined ? undefined : setTimeout(() => ((idled = true), void reader.cancel().catch(() => undefined)), idleMs);
  idle?.unref();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      idle?.refresh();
      if (bytes + value.byteLength > maxBytes) throw new AnswerTooLarge(maxBytes);
      budget.take(value.byteLength);
      bytes += value.byteLength;
      parts.push(decoder.decode(value, { stream: true }));
    }
    if (idled) throw new AnswerStreamIdle(idleMs!, 'nothing more of its answer');
  } catch (error) {
    budget.give(bytes);
    if (error instanceof AnswerTooLarge) await reader.cancel();
    throw error;
  } finally {
    clearTimeout(idle);
  }
  if (taken) taken.bytes += bytes;
  else budget.give(bytes);
  parts.push(decoder.decode());
  return parts.join('');
}

/**
 * How long an error page's excerpt is waited for. The request has failed already: a server
 * that sent the status and then held the body open (by fault or on purpose) kept its
 * failure, so the client's request, from being answered at all.
 */
const EXCERPT_TIMEOUT_MS = 5_000;

/** The first `maxChars` of the body (an error page's explanation), the rest never read. */
export async function readExcerpt(response: Response, maxChars: number, timeoutMs = EXCERPT_TIMEOUT_MS): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = response.body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  try {
    while (text.length < maxChars) {
      const read = await Promise.race([reader.read(), late]);
      if (read === 'late' || read.done) break;
      text += decoder.decode(read.value, { stream: true });
    }
  } catch {
    // What arrived before the failure is the excerpt.
  } finally {
    clearTimeout(timer);
  }
  // Not awaited: a body that never ends may not settle its cancel either.
  void reader.cancel().catch(() => undefined);
  return text.slice(0, maxChars);
}
