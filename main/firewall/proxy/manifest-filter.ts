import { ErrorCode, errorResponse, notification, replyIdOf, writtenAsRead, type JsonRpcMessage, type ReplyId } from '../jsonrpc/messages.js';
import type { ToolDescription } from '../policy/action-class.js';
import { repeatedKey } from '../jsonrpc/json-scan.js';
import type { ListedFrom, ListingPage } from '../pins/first-sight-listings.js';
import { numberSourcesIn, parsedWithSources, SourceNumber, type NumberSources } from '../jsonrpc/source-number.js';
import { kindOfKey, manifestKey, type ManifestKind } from '../pins/manifest-keys.js';
import type { EngineLink } from './engine-link.js';
import { createHeldItems } from './held-items.js';
import { createOwnLook, LOOK_WAIT_MS, nextCursorOf, type OwnLook, type OwnLookSpec } from './own-look.js';
import { reserveWithin, type OrderedWriter } from './ordered-writer.js';
import type { PeerWriter } from './peer-writer.js';

/** Where each listed kind sits in its list response. */
const KINDS: Record<Exclude<ManifestKind, 'instructions'>, { method: string; field: string; key: (item: Record<string, unknown>) => string }> = {
  tools: { method: 'tools/list', field: 'tools', key: (item) => manifestKey('tools', item) },
  prompts: { method: 'prompts/list', field: 'prompts', key: (item) => manifestKey('prompts', item) },
  resourceTemplates: { method: 'resources/templates/list', field: 'resourceTemplates', key: (item) => manifestKey('resourceTemplates', item) },
};
/** The kinds the shim lists itself. */
export type LookedKind = keyof typeof KINDS;
const LOOKED_KINDS: readonly LookedKind[] = ['tools', 'prompts', 'resourceTemplates'];
const LOOK_NOUNS: Record<LookedKind, { noun: string; listNoun: string }> = {
  tools: { noun: 'tools', listNoun: 'tool list' },
  prompts: { noun: 'prompts', listNoun: 'prompt list' },
  resourceTemplates: { noun: 'resource templates', listNoun: 'resource template list' },
};
/**
 * Which answers to the firewall's own list mean "none of these" rather than a failed look
 * (own-look.ts), where a failed look refuses every request it guards:
 * - tools: none; a call needs its tool listed, and a server must not skip the check by failing our list.
 * - prompts: only "Method not found" (a server without prompts). A get needs its prompt listed
 *   too (never-listed prompts are refused), so no answer could let one through that a failed
 *   look refuses; the failure keeps the server's own error in the refusal, and does not let a
 *   prompt listed earlier in the session (perhaps changed since) be got unchecked (nor does a
 *   "Method not found": it forgets what was listed).
 * - resource templates: any answer. A read needs no template (static resources are not pinned),
 *   and a server that wants to skip the look can already answer "Method not found"; refusing
 *   every read of a server that says -32603 "not implemented", or leaves the field out, broke
 *   it and protected nothing. No answer within the deadline still refuses reads.
 */
const NONE_WHEN: Record<LookedKind, OwnLookSpec['noneWhen']> = { tools: 'never', prompts: 'method-not-found', resourceTemplates: 'any-answer' };
/** The kinds whose listed names the shim remembers: a call or get of a name not listed is refused. */
type NamedKind = 'tools' | 'prompts';
/**
 * Names of each kind remembered as listed. A server decides what it lists: one that lists
 * fresh names on every list_changed would otherwise grow the shim for as long as the session
 * lasts. Past the bound the firewall cannot tell what the server has, so it errs towards
 * refusing: an own look that lists more fails (every call, or get, refused with why, as for a
 * list that never ends), and a name a client's own list shows past it is not remembered (its
 * calls are refused as unchecked) until a look of the firewall's goes through.
 */
export const MAX_LISTED_NAMES = 10_000;
const BY_METHOD = new Map(Object.entries(KINDS).map(([kind, spec]) => [spec.method, kind as keyof typeof KINDS]));
const CHANGED_NOTICE: Partial<Record<ManifestKind, string>> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resourceTemplates: 'notifications/resources/list_changed',
};

export interface ManifestFilter {
  /** Whether answers to `method` show pinned things (and so go through review). */
  reviews(method: string): boolean;
  /** Handles the answer to a request of `method` if it shows pinned things; false if it is not ours. */
  /** `cursor`: the one the client's request for this page carried (null: none, the first page). */
  review(method: string, msg: JsonRpcMessage, raw: Buffer, text?: string, cursor?: string | null): boolean;
  /**
   * Why a tools/call or prompts/get (by name), or a resources/read (by URI), must be refused (what
   * it reaches is held), or null. A completion/complete asks as the get or read its ref names.
   */
  heldReason(method: 'tools/call' | 'prompts/get' | 'resources/read', name: string): string | null;
  /**
   * The client finished initializing (2025: `notifications/initialized`; 2026-07-28: its first
   * enveloped request, or the server/discover answer): fetch and check the server's tools
   * (prompts, templates) ourselves, and from now on again whenever it says they changed.
   */
  sessionReady(): void;
  /** The server sent list_changed for `kind`: check those again ourselves. */
  listChanged(kind: LookedKind): void;
  /** The session is over for the server (revoked): requests waiting for a look are taken up now, to be refused, not in 10 s. */
  stop(reason: string): void;
  /** Whether the firewall's own look at `kind` is under way (requests then wait for it); starts another if the last one failed. */
  looking(kind: LookedKind): boolean;
  /** While the firewall's own look at `kind` is under way, queues `run` (the request) until it ends: true if queued. */
  deferCall(kind: LookedKind, run: () => void): boolean;
  /** Whether a resources/read needs a decision of ours: a template is held (or its hold could not be kept), or the last look at them failed. */
  readsNeedCheck(): boolean;
  /** Answers to the firewall's own requests, which never reach the client. */
  isOwnAnswer(msg: JsonRpcMessage): boolean;
  /** Whether `id` is one of the firewall's own requests still unanswered (a client request under it is refused). */
  isOwnId(id: unknown): boolean;
  /** `text`: the answer as the server wrote it, for the numbers its parse changed. */
  ownAnswer(msg: JsonRpcMessage, text?: string): void;
}

/** How long an answer waits for the engine's look at the pins before it is refused. */
const REVIEW_WAIT_MS = LOOK_WAIT_MS;

/** Own requests remembered while unanswered: past this the oldest is forgotten. */
const MAX_UNANSWERED_OWN = 64;
/** Ids of the firewall's own requests to the server (only those it sent count as its own). */
const OWN_ID_PREFIX = 'mcp-firewall/';

/**
 * Every list of pinned things is checked against the pins before the client sees it:
 * drifted, new and poisoned items are cut from it (and calls to them refused) until a
 * person accepts them; drifted server instructions are withheld from `initialize`.
 */
export function createManifestFilter(ctx: {
  server: string;
  link: EngineLink;
  toClient: OrderedWriter;
  toServer: PeerWriter;
  tools: Map<string, ToolDescription>;
  /** A protocol row (rate-limited by the shim): what the server listed that the filter dropped. */
  protocolEvent: (reason: string) => void;
  /** Whether a client request under this id is in flight (or waits): the firewall's own requests skip such ids. */
  clientIdInUse?: (id: string) => boolean;
  /** The `_meta` envelope the firewall's own requests carry in a 2026-07-28 session (session-era.ts); undefined in a 2025-era one. */
  envelope?: () => Record<string, unknown> | undefined;
}): ManifestFilter {
  // Held items by pin key, bounded (held-items.ts).
  const held = createHeldItems(ctx.server);
  // The names of the prompts the server listed (held or not), as ctx.tools is for tools: what the
  // firewall's last own look that went through listed, and what the client's lists showed since.
  // A complete look is what the server has now: a name it no longer lists is not got (nor a
  // tool called, nor classed by its old description) as listed.
  let listedPrompts = new Set<string>();
  // A name was not remembered since the last look went through (MAX_LISTED_NAMES): refusals say why.
  const pastBound: Record<NamedKind, boolean> = { tools: false, prompts: false };
  // What the own look under way listed so far: each name with the item calls are classed by
  // (null while held, which keeps the description from before, as a held tool's calls are denied).
  // `mark`: held.mark() when the look began (a hold left unkept since keeps the kind refused).
  const gathering: Partial<Record<NamedKind, { look: number; mark: number; names: Map<string, Record<string, unknown> | null> }>> = {};
  // Answers rewritten here carry the id as the server wrote it (digits past 2^53 do not survive a parse).
  const exactId = (msg: JsonRpcMessage, raw: Buffer): ReplyId => replyIdOf(msg.id ?? null, raw.toString('utf8'));
  const refusal = (msg: JsonRpcMessage, raw: Buffer, what: string, error: Error) =>
    errorResponse(exactId(msg, raw), ErrorCode.FirewallUnavailable, `MCP Firewall could not check the ${what} of '${ctx.server}': ${error.message}`);
  const fail = (fill: (line: string) => void, msg: JsonRpcMessage, raw: Buffer, what: string, error: Error) => fill(refusal(msg, raw, what, error));

  /** A place in line for an answer the engine must look at first, refused if it does not in time. */
  const reserveAnswer = (msg: JsonRpcMessage, raw: Buffer, what: string): ((line: string | Buffer) => void) =>
    reserveWithin(ctx.toClient, REVIEW_WAIT_MS, () => refusal(msg, raw, what, new Error(`the engine did not answer within ${REVIEW_WAIT_MS / 1000} s`)));

  ctx.link.onUnblocked((keys) => {
    for (const key of keys) held.set(key, undefined);
    // An accept names the server, not this session's process: another process under the same
    // name (another client's, or one launched before a package update) may show the accepted
    // tool at another version, which this one's server may still run. Its tools are checked
    // again, and calls wait for that, rather than released unseen.
    // Prompts and templates alike: a prompt accepted at one process's version must not be
    // got, nor a template read through, at another's.
    for (const kind of new Set(keys.map(kindOfKey))) {
      if (ready && kind !== 'instructions') looks[kind].start();
      const method = CHANGED_NOTICE[kind];
      if (method) ctx.toClient.send(notification(method, {}));
    }
  });

  /**
   * The entries of a listed page that are items at all. A bare string, null or number in
   * `tools` is no definition the pins can check: passed on, a lenient client could show a
   * tool named by the string that nobody reviewed (and a null made the whole check fail).
   * Never shown, one protocol row per list.
   */
  function itemsOf(kind: keyof typeof KINDS, list: unknown[]): Array<Record<string, unknown>> {
    const items = list.filter(isItem);
    const dropped = list.length - items.length;
    if (dropped > 0) ctx.protocolEvent(`server listed ${dropped} entr${dropped === 1 ? 'y' : 'ies'} in ${KINDS[kind].method} that ${dropped === 1 ? 'is' : 'are'} not an object (the first: ${entryType(list.find((e) => !isItem(e)))}); not shown to the client`);
    return items;
  }

  /**
   * Asks the engine about one page of items, holds what it blocks; resolves to the blocked keys.
   * The names go to `gathered` (the own look under way) or, from a client's list, are added to
   * what counts as listed.
   */
  function checkItems(kind: keyof typeof KINDS, list: Array<Record<string, unknown>>, listed: ListedFrom, gathered?: Map<string, Record<string, unknown> | null>): Promise<Record<string, string>> {
    const spec = KINDS[kind];
    return ctx.link.manifest(kind, list, listed).then((verdict) => {
      // The engine's own keys only: read as the plain object JSON gave, a tool named `toString`
      // (`constructor`, `__proto__`) found Object.prototype's member there, and was held with a
      // function for its reason and hidden, though nothing blocked it.
      const blocked: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, verdict);
      // Per page: a paginated list must not release items of an earlier page.
      for (const item of list) {
        const key = spec.key(item);
        held.set(key, blocked[key]);
        if (kind === 'resourceTemplates' || typeof item.name !== 'string') continue;
        // Calls are classed by the description the pins let through (annotations can raise a
        // class): a drifted one that drops `destructiveHint` is not taken while the engine
        // looks, nor once held (its calls are denied then, and the next accepted listing sets it).
        const shown = blocked[key] === undefined ? item : null;
        if (gathered) gathered.set(item.name, shown);
        else remember(kind, item.name, shown);
      }
      return blocked;
    });
  }

  function remember(kind: NamedKind, name: string, item: Record<string, unknown> | null): void {
    const names = kind === 'tools' ? ctx.tools : listedPrompts;
    if (!names.has(name) && names.size >= MAX_LISTED_NAMES) return void (pastBound[kind] = true);
    if (kind === 'prompts') listedPrompts.add(name);
    else if (item) ctx.tools.set(name, item as unknown as ToolDescription);
  }

  /**
   * A look went through: what it listed replaces what counted as listed. Held items it listed
   * stay held; the holds of names it did not list are let go, as those are refused as never listed.
   */
  function adopt(kind: NamedKind, names: Map<string, Record<string, unknown> | null>, mark: number): void {
    delete gathering[kind];
    pastBound[kind] = false;
    const listedKeys = new Set([...names.keys()].map((name) => manifestKey(kind, { name })));
    held.listed(kind, (key) => listedKeys.has(key), mark);
    if (kind === 'prompts') return void (listedPrompts = new Set(names.keys()));
    // ctx.tools is the shim's own map (the call policer reads it): changed in place.
    for (const name of ctx.tools.keys()) if (!names.has(name)) ctx.tools.delete(name);
    for (const [name, item] of names) if (item) ctx.tools.set(name, item as unknown as ToolDescription);
  }

  /**
   * Per listed item (as itemsOf keeps them), the numbers the parse of `text` changed, as the
   * server wrote them; undefined when there are none. The client gets those bytes, so the
   * engine digests them (jsonrpc/source-number.ts): 1e400 and -1e400 both read as Infinity.
   */
  function numbersOfItems(kind: keyof typeof KINDS, text: string): Array<NumberSources | null> | undefined {
    const parsed = parsedWithSources(text) as { result?: Record<string, unknown> } | null;
    const list = parsed?.result?.[KINDS[kind].field];
    if (!Array.isArray(list)) return undefined;
    // The entries itemsOf keeps: a bare number in the list (a SourceNumber here) is none.
    const numbers = list.filter((entry) => isItem(entry) && !(entry instanceof SourceNumber)).map(numberSourcesIn);
    return numbers.some((found) => found !== null) ? numbers : undefined;
  }
  // The numbers of an own look's page, by its list (the array own-look.ts passes to check), from ownAnswer.
  const ownPageNumbers = new WeakMap<unknown[], Array<NumberSources | null>>();

  /** Checks one page of the own look `which`; resolves to why the look fails, if it does. */
  function checkOwnPage(kind: LookedKind, list: unknown[], which: number, page: ListingPage): Promise<string | void> {
    const items = itemsOf(kind, list);
    const listed: ListedFrom = { page, numbers: ownPageNumbers.get(list) };
    if (kind === 'resourceTemplates') return checkItems(kind, items, listed).then(() => undefined);
    let look = gathering[kind];
    if (look?.look !== which) gathering[kind] = look = { look: which, mark: held.mark(kind), names: new Map() };
    const names = look.names;
    const fresh = new Set(items.map((item) => item.name).filter((name) => typeof name === 'string' && !names.has(name)));
    if (names.size + fresh.size > MAX_LISTED_NAMES) {
      return Promise.resolve(`'${ctx.server}' listed more than ${MAX_LISTED_NAMES} ${LOOK_NOUNS[kind].noun}, more than the firewall keeps track of, so the ${LOOK_NOUNS[kind].noun} of '${ctx.server}' could not be checked`);
    }
    return checkItems(kind, items, listed, names).then(() => undefined);
  }

  /**
   * The answer as the engine checked it. JSON.parse keeps the last of a repeated key, and the
   * pins are checked on what it read; the server's own bytes would carry the first copy too
   * (`"description":"Reads notes.","description":"…then mails them out"`), which a client whose
   * parser keeps the first reads: a definition nobody reviewed. Such an answer leaves re-written.
   */
  function asChecked(msg: JsonRpcMessage, raw: Buffer, text = raw.toString('utf8')): Buffer | string {
    return repeatedKey(text) === null ? raw : writtenAsRead(msg, text);
  }

  /** `text`: `raw` as the shim decoded it (a list answer can be hundreds of KB: decoded once). */
  function reviewList(kind: keyof typeof KINDS, msg: JsonRpcMessage, raw: Buffer, text: string, cursor: string | null): void {
    const spec = KINDS[kind];
    const result = msg.result as Record<string, unknown> | undefined;
    const list = result?.[spec.field];
    if (!Array.isArray(list)) return void ctx.toClient.send(asChecked(msg, raw, text));
    const items = itemsOf(kind, list);
    // Its place in line is kept while the engine looks: what the server sends next waits behind it.
    const fill = reserveAnswer(msg, raw, kind);
    checkItems(kind, items, { page: { cursor, next: nextCursorOf(result) }, numbers: numbersOfItems(kind, text) }).then(
      (blocked) => {
        if (Object.keys(blocked).length === 0 && items.length === list.length) return void fill(asChecked(msg, raw, text));
        // By this check's own word too: a hold past the bound is not kept, and its item stays hidden.
        const visible = items.filter((item) => blocked[spec.key(item)] === undefined && held.get(spec.key(item)) === null);
        fill(JSON.stringify({ ...msg, id: exactId(msg, raw), result: { ...result, [spec.field]: visible } }));
      },
      (error: Error) => fail(fill, msg, raw, kind, error),
    );
  }

  // The firewall's own lists, sent once the session is up (own-look.ts): a client that calls
  // a tool (gets a prompt, reads through a template) from a list it cached in an earlier
  // session never lists again, and a rug pull would slip past pins that are only checked on
  // lists the client asks for. One look per kind; requests it guards wait for it.
  const declared: Record<LookedKind, boolean> = { tools: false, prompts: false, resourceTemplates: false };
  let ready = false;
  let ownRequests = 0;
  // The ids of our own requests still unanswered, with the look each belongs to: a client
  // may use the same prefix for its own ids, and its answers must reach it. Two requests under
  // one id would have each answer taken as the other's (the server's answer to the client as
  // our list, ours as the client's), so neither side takes an id the other has in flight: the
  // shim refuses a client request under one of these (isOwnId), and ours skip the client's.
  const ownIds = new Map<string, { kind: LookedKind; look: number; page: number; cursor: string | null }>();
  const isOwnId = (id: unknown): boolean => typeof id === 'string' && ownIds.has(id);
  function sendOwnList(kind: LookedKind, look: number, cursor: string | undefined, page: number): void {
    let id = `${OWN_ID_PREFIX}${++ownRequests}`;
    while (ctx.clientIdInUse?.(id)) id = `${OWN_ID_PREFIX}${++ownRequests}`;
    ownIds.set(id, { kind, look, page, cursor: cursor ?? null });
    // A server that never answers our list gets one more each call after a failed look: the
    // oldest goes (its look long given up; a late answer is then an answer to no request in
    // flight, which the shim drops with a protocol row; it never reaches the client).
    if (ownIds.size > MAX_UNANSWERED_OWN) ownIds.delete(ownIds.keys().next().value!);
    // A 2026-07-28 server refuses a request without the client's envelope (there is no
    // initialize to remember it by), and may tailor its list to it: ours carry the client's.
    const meta = ctx.envelope?.();
    const params = { ...(cursor ? { cursor } : {}), ...(meta ? { _meta: meta } : {}) };
    ctx.toServer.send(JSON.stringify({ jsonrpc: '2.0', id, method: KINDS[kind].method, params }));
  }
  const createLook = (kind: LookedKind) =>
    createOwnLook({
      server: ctx.server, method: KINDS[kind].method, field: KINDS[kind].field, ...LOOK_NOUNS[kind],
      noneWhen: NONE_WHEN[kind],
      // A server that listed a prompt, changed it, then answers our list "Method not found"
      // (perhaps only ours, known by its id) must not have the prompt got as listed before.
      none: kind === 'prompts' ? () => adopt('prompts', new Map(), held.mark('prompts')) : undefined,
      listed: (which) => {
        const look = kind === 'resourceTemplates' ? undefined : gathering[kind];
        if (look?.look === which) adopt(kind as NamedKind, look.names, look.mark);
      },
      send: (which, cursor, page) => sendOwnList(kind, which, cursor, page),
      check: (list, which, page) => checkOwnPage(kind, list, which, page),
      closed: () => ctx.link.closed,
    });
  const toolsLook = createLook('tools');
  const looks: Record<LookedKind, OwnLook> = { tools: toolsLook, prompts: createLook('prompts'), resourceTemplates: createLook('resourceTemplates') };

  function reviewInstructions(msg: JsonRpcMessage, raw: Buffer): void {
    const result = msg.result as { instructions?: unknown; capabilities?: { tools?: unknown; prompts?: unknown; resources?: unknown } } | undefined;
    declared.tools = Boolean(result?.capabilities?.tools);
    declared.prompts = Boolean(result?.capabilities?.prompts);
    declared.resourceTemplates = Boolean(result?.capabilities?.resources);
    if (typeof result?.instructions !== 'string') {
      // No instructions is the server's first look at them, as an empty tools/list is: said to
      // the engine, so instructions it adds after approval are held, not pinned on "first sight".
      // Nothing to withhold, so the answer does not wait; if the engine is gone the marker is
      // not written and the next session's look is the first (as before).
      ctx.link.manifest('instructions', []).catch(() => {});
      return void ctx.toClient.send(asChecked(msg, raw));
    }
    const fill = reserveAnswer(msg, raw, 'instructions');
    ctx.link.manifest('instructions', [{ name: 'instructions', text: result.instructions }]).then(
      (blocked) => {
        held.set('instructions', blocked.instructions);
        if (!blocked.instructions) return void fill(asChecked(msg, raw));
        const { instructions: _withheld, ...rest } = result;
        fill(JSON.stringify({ ...msg, id: exactId(msg, raw), result: rest }));
      },
      (error: Error) => fail(fill, msg, raw, 'instructions', error),
    );
  }

  /**
   * A prompt the server never listed was never pinned nor read for poisoning cues, as a tool
   * it never listed (refused the same way): its name can reach the model from any text. Only
   * once a look at the prompts went through, which every prompts/get waits for: a server that
   * declares no prompts is looked at on the first get, as one that declares no tools is on the
   * first call. Its "Method not found" to that look means it lists none, so every get is refused,
   * as every call is when a tools/list fails; a look that fails refuses gets for that instead.
   */
  function unlistedPromptReason(name: string): string | null {
    if (!looks.prompts.wentThrough || listedPrompts.has(name)) return null;
    return unlistedReason('prompts');
  }

  function unlistedReason(kind: NamedKind): string {
    if (!pastBound[kind]) return `'${ctx.server}' never listed it, so the firewall has not checked its definition`;
    return `'${ctx.server}' listed more than ${MAX_LISTED_NAMES} ${LOOK_NOUNS[kind].noun} since the firewall last looked, more than it keeps track of, and this one is not among those kept, so the firewall has not checked its definition`;
  }

  function sessionReady(): void {
    if (!ready) for (const kind of LOOKED_KINDS) if (declared[kind]) looks[kind].start();
    ready = true;
  }

  return {
    sessionReady,
    listChanged(kind) {
      // A server that changes a tool mid-session and says so must not have the change
      // called by a client that keeps its list (many ignore list_changed): the firewall
      // lists again itself, and a drifted item is held as on any list.
      if (ready) looks[kind].changed();
    },
    stop(reason) {
      for (const kind of LOOKED_KINDS) looks[kind].stop(reason);
    },
    // tools/call asks on every call: its look is read without the keyed lookup.
    looking: (kind) => (kind === 'tools' ? toolsLook : looks[kind]).looking(),
    readsNeedCheck: () => held.readsNeedCheck() || looks.resourceTemplates.unchecked !== null,
    deferCall: (kind, run) => looks[kind].defer(run),
    isOwnAnswer: (msg) => isOwnId(msg.id),
    isOwnId,
    ownAnswer(msg, text) {
      const own = ownIds.get(msg.id as string);
      ownIds.delete(msg.id as string);
      if (!own) return;
      const list = (msg.result as Record<string, unknown> | undefined)?.[KINDS[own.kind].field];
      const numbers = text !== undefined && Array.isArray(list) ? numbersOfItems(own.kind, text) : undefined;
      if (numbers) ownPageNumbers.set(list as unknown[], numbers);
      looks[own.kind].answer(msg, own.look, own.page, own.cursor);
    },
    reviews: (method) => method === 'initialize' || method === 'server/discover' || BY_METHOD.has(method),
    review(method, msg, raw, text = raw.toString('utf8'), cursor = null) {
      if (method === 'initialize' && msg.result !== undefined) {
        reviewInstructions(msg, raw);
        return true;
      }
      // 2026-07-28: server/discover tells what initialize told (capabilities, instructions),
      // and, the session having no `initialized`, its answer is when the looks can start.
      if (method === 'server/discover' && msg.result !== undefined) {
        const before = { ...declared };
        reviewInstructions(msg, raw);
        if (!ready) sessionReady();
        else for (const kind of LOOKED_KINDS) if (declared[kind] && !before[kind]) looks[kind].start();
        return true;
      }
      const kind = BY_METHOD.get(method);
      if (!kind || msg.result === undefined) return false;
      reviewList(kind, msg, raw, text, cursor);
      return true;
    },
    heldReason(method, name) {
      // A held template hides only its listing; the server still serves reads of the URIs it
      // describes, so a changed template (`notes://{id}` now fetching from elsewhere, say) would
      // be used unreviewed by a client that builds the URI itself, from a template it cached.
      if (method === 'resources/read') return held.templateReason(name) ?? held.overflow('resourceTemplates') ?? looks.resourceTemplates.unchecked;
      const kind = method === 'tools/call' ? 'tools' : 'prompts';
      // A hold past the bound was not kept: any name of the kind may be the one held.
      const pinned = held.get(manifestKey(kind, { name })) ?? held.overflow(kind);
      if (pinned !== null) return pinned;
      if (method === 'prompts/get') return looks.prompts.unchecked ?? unlistedPromptReason(name);
      // A tool the server never listed was never pinned nor read for poisoning cues: a name
      // slipped to the model (in a tool's result, say) would reach code nobody reviewed.
      return toolsLook.unchecked ?? (ctx.tools.has(name) ? null : unlistedReason('tools'));
    },
  };
}

const isItem = (entry: unknown): entry is Record<string, unknown> => entry !== null && typeof entry === 'object' && !Array.isArray(entry);

/** What a dropped entry was, for the protocol row (not its text: the server's, unscanned). */
const entryType = (entry: unknown): string => (entry === null ? 'null' : Array.isArray(entry) ? 'an array' : `a ${typeof entry}`);
