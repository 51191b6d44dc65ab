import type { JsonRpcMessage } from '../jsonrpc/messages.js';

/** How long a request waits for the firewall's own look before the look counts as failed. */
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
  /** Lists again (session ready, list_changed, an accept); only the latest look counts. */
  start(): void;
  /** Whether a look is under way (requests then wait); starts one if none went through yet. */
  looking(): boolean;
  /** Queues `run` until the look under way ends: true if queued. */
  defer(run: () => void): boolean;
  /** Ends the look under way with `reason` (the server was stopped): waiting requests are taken up now. */
  stop(reason: string): void;
  /** One page of the server's answer to this look's request `which`. */
  answer(msg: JsonRpcMessage, which: number, page: number): void;
  /** Why the last look failed (requests are refused for it), or null. A plain field: read on every call. */
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
  /** "Method not found" means the server has none of these (templates: a server may serve resources/read and no templates), not a failed look. */
  noneIfUnknown: boolean;
  /** Sends the request for one page of look `which`. */
  send: (which: number, cursor: string | undefined, page: number) => void;
  /** The engine's check of one page's items (which holds what it blocks). */
  check: (items: unknown[]) => Promise<unknown>;
  /** The engine is gone: requests are refused for that at once, not made to wait. */
  closed: () => boolean;
}

export function createOwnLook(spec: OwnLookSpec): OwnLook {
  let look = 0;
  let waiting: Array<() => void> | null = null;
  let waitTimer: NodeJS.Timeout | null = null;
  let releasing = false;

  function start(): void {
    const current = ++look;
    waiting ??= [];
    if (waitTimer) clearTimeout(waitTimer);
    waitTimer = setTimeout(() => end(current, `the firewall could not check the ${spec.noun} of '${spec.server}' within ${LOOK_WAIT_MS / 1000} s`), LOOK_WAIT_MS);
    waitTimer.unref();
    spec.send(current, undefined, 1);
  }

  function end(which: number, failure: string | null): void {
    if (which !== look) return;
    if (waitTimer) clearTimeout(waitTimer);
    waitTimer = null;
    self.unchecked = failure;
    if (failure === null) self.wentThrough = true;
    const queued = waiting ?? [];
    waiting = null;
    // The requests that waited for this look take its outcome: none of them starts another.
    releasing = true;
    try {
      for (const run of queued) run();
    } finally {
      releasing = false;
    }
  }

  function answer(msg: JsonRpcMessage, which: number, page: number): void {
    const result = msg.result as Record<string, unknown> | undefined;
    const list = result?.[spec.field];
    const error = msg.error as { code?: unknown; message?: unknown } | undefined;
    if (!Array.isArray(list) && spec.noneIfUnknown && error?.code === METHOD_NOT_FOUND) return end(which, null);
    // Nothing checked is nothing approved: a server can tell our list by its id and fail only
    // that one, while a client uses drifted items from a list it cached. Requests are refused
    // until a look goes through (the next one starts a look).
    if (!Array.isArray(list)) {
      const said = error?.message;
      return end(which, `the server answered the firewall's own ${spec.method} ${typeof said === 'string' ? `with an error (${said.slice(0, 200)})` : `without a ${spec.listNoun}`}, so the ${spec.noun} of '${spec.server}' could not be checked`);
    }
    spec.check(list).then(
      () => {
        const more = typeof result?.nextCursor === 'string' && result.nextCursor !== '';
        // A newer look (list_changed) supersedes this one; a list that never ends is not read for ever.
        if (!more || which !== look) return end(which, null);
        if (page >= MAX_OWN_PAGES) return end(which, `the ${spec.listNoun} of '${spec.server}' did not end after ${MAX_OWN_PAGES} pages`);
        spec.send(which, result!.nextCursor as string, page + 1);
      },
      () => end(which, `the firewall could not check the ${spec.noun} of '${spec.server}': the engine did not answer`),
    );
  }

  const self: { -readonly [K in keyof OwnLook]: OwnLook[K] } = {
    unchecked: null,
    wentThrough: false,
    start,
    looking() {
      if (waiting !== null) return true;
      // No look yet (the server declared none of these in `initialize`, or the client never
      // said `initialized`), or the last one failed: this request waits for one. A server
      // cannot skip the check by leaving its capabilities out, and one busy for a moment
      // refuses nothing; one that fails every look of ours gets every request refused.
      // (Not with the engine gone: the request is refused for that at once.)
      if ((look > 0 && self.unchecked === null) || releasing || spec.closed()) return false;
      start();
      return true;
    },
    defer(run) {
      if (waiting === null) return false;
      waiting.push(run);
      return true;
    },
    stop(reason) {
      if (waiting !== null) end(look, reason);
    },
    answer,
  };
  return self;
}
