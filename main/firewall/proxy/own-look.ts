import type { JsonRpcMessage } from '../jsonrpc/messages.js';
import type { ListingPage } from '../pins/first-sight-listings.js';
import { ENGINE_GONE } from './engine-link.js';
import { createLookPace } from './look-pace.js';

/** How long a request waits for the firewall's own look before the look counts as failed. */
/** Where a listing goes on: its `nextCursor`, or null on its last page (none, empty, not a string). */
export function nextCursorOf(result: Record<string, unknown> | undefined): string | null {
  return typeof result?.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : null;
}

export const LOOK_WAIT_MS = 10_000;
/** Pages of its own list the shim reads in one look: a server whose cursor never ends gets requests refused, not a loop. */
const MAX_OWN_PAGES = 100;
/** JSON-RPC's "Method not found". */
const METHOD_NOT_FOUND = -32601;

/**
 * The firewall's own listing of one kind of pinned thing (tools, prompts, resource
 * templates): a client that uses what it cached in an earlier session never lists again, and
 * many clients ignore list_changed, so a changed definition would be used without its pin
 * being checked. While a look is under way the requests it guards (tools/call, prompts/get,
 * resources/read) wait for it; a look that fails leaves them refused until one goes through.
 */
export interface OwnLook {
  /**
   * Lists again (session ready, list_changed, an accept). While a look is under way this only
   * marks it stale: exactly one more look follows when it ends, and the requests waiting keep
   * waiting for that one, within the deadline the first look set. A look asked for close behind
   * another waits its turn (look-pace.ts).
   */
  start(): void;
  /**
   * The server said its list changed: as start(), except after a failed look, when the next
   * request starts one anyway. A server that answers each of our lists with list_changed would
   * otherwise have us list at wire speed for as long as the session lasts.
   */
  changed(): void;
  /** Whether a look is under way (requests then wait); starts one if none went through yet. */
  looking(): boolean;
  /** Queues `run` until the look under way ends: true if queued. */
  defer(run: () => void): boolean;
  /** Ends the look under way with `reason` (the server was stopped): waiting requests are taken up now. */
  stop(reason: string): void;
  /** One page of the server's answer to this look's request `which`, asked with `cursor` (null: the first page). */
  answer(msg: JsonRpcMessage, which: number, page: number, cursor?: string | null): void;
  /** Why the last look failed, or why none could start (the engine gone): requests are refused for it; or null. A plain field: read on every call. */
  readonly unchecked: string | null;
  /** Whether a look went through in this session: only then does what the server listed tell what it has. */
  readonly wentThrough: boolean;
}

export interface OwnLookSpec {
  server: string;
  /** The list method (`tools/list`…) and the result field that holds the items. */
  method: string;
  field: string;
  /** What is checked, in a sentence: "tools", "prompts", "resource templates"; and its list: "tool list". */
  noun: string;
  listNoun: string;
  /**
   * Which answers without a list mean "the server has none of these", not a failed look:
   * 'never' (tools), 'method-not-found' (JSON-RPC -32601), or 'any-answer' (an error of any
   * code, or a result without the list). No answer within the deadline always fails.
   */
  noneWhen: 'never' | 'method-not-found' | 'any-answer';
  /** The server said it has none (as noneWhen reads it): what it listed before is gone. */
  none?: () => void;
  /** Look `which` went through over all its pages: what it listed is what the server has now. */
  listed?: (which: number) => void;
  /** Sends the request for one page of look `which`. */
  send: (which: number, cursor: string | undefined, page: number) => void;
  /** The engine's check of one page's items of look `which` (which holds what it blocks); a reason: why the look fails. */
  check: (items: unknown[], which: number, listing: ListingPage) => Promise<string | void>;
  /** The engine is gone: no look can go through, so requests are refused for that at once, not made to wait. */
  closed: () => boolean;
}

export function createOwnLook(spec: OwnLookSpec): OwnLook {
  let look = 0;
  // The requests waiting for the look under way; null when no look is under way.
  let waiting: Array<() => void> | null = null;
  let waitTimer: NodeJS.Timeout | null = null;
  let releasing = false;
  // The server said its list changed while a look was under way: that look's answer may show
  // the list from before, so one more look follows it (however many times it was said).
  let stale = false;
  // Looks that began over again in the current run of looks, and looks sent in it (for the timeout's message).
  let restarts = 0;
  let sentInRun = 0;
  // Looks asked for close together go out spaced (look-pace.ts); the look waiting its turn.
  const pace = createLookPace();
  let paceTimer: NodeJS.Timeout | null = null;

  function start(): void {
    if (waiting !== null) {
      // Not a new look per list_changed, nor a new deadline: a server that announces a change
      // just before answering each of our lists would otherwise keep every request it guards
      // waiting for ever, and have us list again at wire speed.
      stale = true;
      return;
    }
    // The engine decides the pins: with it gone no look can go through. The requests the look
    // guards are refused for that at once, as a tools/call is, rather than sent on unchecked
    // (no look yet would have let a get through) or kept waiting on an answer nobody can check.
    // The next request once the engine is back starts a look (unchecked is set).
    if (spec.closed()) {
      self.unchecked = `the firewall could not check the ${spec.noun} of '${spec.server}': ${ENGINE_GONE}; start it with \`mcp-firewall serve\``;
      return;
    }
    waiting = [];
    restarts = 0;
    sentInRun = 0;
    // Set once per run of looks, when the first of them starts (before any request waits for
    // it): no request waits longer, however often the server says its list changed.
    waitTimer = setTimeout(() => end(timeoutReason()), LOOK_WAIT_MS);
    waitTimer.unref();
    send();
  }

  /**
   * Sends the first page of a new look, at once or in its turn (look-pace.ts). The look under
   * way, if any, is superseded now: its answer is not wanted, whenever it comes.
   */
  function send(): void {
    const which = ++look;
    const wait = pace.wait();
    if (wait === 0) return sendNow(which);
    paceTimer = setTimeout(() => {
      paceTimer = null;
      sendNow(which);
    }, wait);
    paceTimer.unref();
  }

  function sendNow(which: number): void {
    // A list_changed said while this look waited its turn is answered by it.
    stale = false;
    sentInRun += 1;
    pace.sent();
    spec.send(which, undefined, 1);
  }

  function timeoutReason(): string {
    const why = restarts > 0 ? `: '${spec.server}' said its ${spec.listNoun} changed before each of ${sentInRun} looks ended` : '';
    return `the firewall could not check the ${spec.noun} of '${spec.server}' within ${LOOK_WAIT_MS / 1000} s${why}`;
  }

  function end(failure: string | null): void {
    if (waiting === null) return;
    if (waitTimer) clearTimeout(waitTimer);
    waitTimer = null;
    if (paceTimer) clearTimeout(paceTimer);
    paceTimer = null;
    stale = false;
    self.unchecked = failure;
    if (failure === null) self.wentThrough = true;
    const queued = waiting;
    waiting = null;
    // The requests that waited for this look take its outcome: none of them starts another.
    releasing = true;
    try {
      for (const run of queued) run();
    } finally {
      releasing = false;
    }
  }

  /**
   * Whether an answer to look `which` is still wanted. One to a superseded look, or to a look
   * given up (timed out, the server stopped), is dropped before the engine is asked about it:
   * a server answering look after look must not have each answer checked and thrown away.
   * An answer to the current look that a list_changed made stale starts the one more look.
   */
  function wanted(which: number): boolean {
    if (which !== look || waiting === null) return false;
    if (!stale) return true;
    restarts += 1;
    send();
    return false;
  }

  function answer(msg: JsonRpcMessage, which: number, page: number, cursor: string | null = null): void {
    if (!wanted(which)) return;
    const result = msg.result as Record<string, unknown> | undefined;
    const list = result?.[spec.field];
    const error = msg.error as { code?: unknown; message?: unknown } | undefined;
    if (!Array.isArray(list) && (spec.noneWhen === 'any-answer' || (spec.noneWhen === 'method-not-found' && error?.code === METHOD_NOT_FOUND))) {
      spec.none?.();
      return end(null);
    }
    // Nothing checked is nothing approved: a server can tell our list by its id and fail only
    // that one, while a client uses drifted items from a list it cached. Requests are refused
    // until a look goes through (the next one starts a look).
    if (!Array.isArray(list)) {
      const said = error?.message;
      return end(`the server answered the firewall's own ${spec.method} ${typeof said === 'string' ? `with an error (${said.slice(0, 200)})` : `without a ${spec.listNoun}`}, so the ${spec.noun} of '${spec.server}' could not be checked`);
    }
    const next = nextCursorOf(result);
    spec.check(list, which, { cursor, next }).then(
      (failure) => {
        // Given up or superseded while the engine looked (or made stale: another look starts).
        if (!wanted(which)) return;
        if (typeof failure === 'string') return end(failure);
        if (next === null) {
          spec.listed?.(which);
          return end(null);
        }
        // A list that never ends is not read for ever.
        if (page >= MAX_OWN_PAGES) return end(`the ${spec.listNoun} of '${spec.server}' did not end after ${MAX_OWN_PAGES} pages`);
        spec.send(which, next, page + 1);
      },
      (error: unknown) => {
        // The engine's own words (it is gone, or refused the check), not a guess at them.
        const why = error instanceof Error ? error.message : 'the engine did not answer';
        if (which === look) end(`the firewall could not check the ${spec.noun} of '${spec.server}': ${why}`);
      },
    );
  }

  const self: { -readonly [K in keyof OwnLook]: OwnLook[K] } = {
    unchecked: null,
    wentThrough: false,
    start,
    changed() {
      if (waiting !== null || self.unchecked === null) start();
    },
    looking() {
      if (waiting !== null) return true;
      // No look yet (the server declared none of these in `initialize`, or the client never
      // said `initialized`), or the last one failed: this request waits for one. A server
      // cannot skip the check by leaving its capabilities out, and one busy for a moment
      // refuses nothing; one that fails every look of ours gets every request refused.
      // (Not with the engine gone: start() says so in unchecked, and the request is refused.)
      if ((look > 0 && self.unchecked === null) || releasing) return false;
      start();
      return waiting !== null;
    },
    defer(run) {
      if (waiting === null) return false;
      waiting.push(run);
      return true;
    },
    stop(reason) {
      end(reason);
    },
    answer,
  };
  return self;
}
