import type { AuditLog } from '../audit/audit-log.js';
import { digestOf } from '../jsonrpc/canonical.js';
import { boundedCues, findPoisoningCues, findTextCues, TOOL_DIGEST_VERSION, toolDigest, toolVerdict, type Cue } from '../manifest/index.js';
import { kindOfKey, manifestKey, type ManifestKind } from './manifest-keys.js';
import { createHeldKeeper, HELD_LIMITS, type HeldLimits } from './held-bound.js';
import type { FirstSightListings, ListedFrom } from './first-sight-listings.js';
import { withNumberSources, type NumberSources } from '../jsonrpc/source-number.js';
import type { PendingKind, PendingTool, PinnedTool, PinStore } from './pin-store.js';
import { argWord } from '../shell-word.js';

// A definition longer than this (as JSON) is held without being read for cues: reading an
// 8 MB description took 0.9 s of the engine's one thread, and a server can list it again and
// again. No honest tool needs a quarter of a megabyte to describe itself.
export const MAX_SCANNED_DEFINITION_CHARS = 256 * 1024;

/** A declared change window: drift inside it is recorded, not blocked (the seed's gate reads the rest). */
export interface DeployWindow {
  ticket: string;
  until: string;
}

export interface ManifestContext {
  server: string;
  client: string;
  sessionId: string;
}

/** Tool name → why it is hidden from the client and its calls denied. */
export type BlockedTools = Record<string, string>;

export interface ManifestGateDeps {
  pins: PinStore;
  audit: AuditLog;
  deployWindow: () => DeployWindow | null;
  /** The bound on what one server can have held (HELD_LIMITS unless a test sets it). */
  heldLimits?: HeldLimits;
  /** First-sight listings under way, whose later pages are first sight too (first-sight-listings.ts). */
  firstSightListings?: FirstSightListings;
}

function cueSummary(cues: Cue[]): string {
  const high = cues.filter((c) => c.severity === 'high');
  return high.map((c) => `${c.kind} in ${c.path}: "${c.excerpt}"`).slice(0, 3).join('; ');
}

/**
 * Whether `item` is the tool an entry digested under an older digest version describes: its
 * old-version digest still matches (nothing the person approved changed) and the fields that
 * version left out are as in the definition kept with the entry. Both, so that neither an
 * upgrade pages for every pinned tool, nor an icon or UI swapped after approval (unpinned
 * then) is taken into the new pin unreviewed.
 */
function sameUnderOlderDigest(entry: Pick<PinnedTool | PendingTool, 'digest' | 'digestVersion' | 'definition'>, item: unknown, digest: string, readDigest: string | null = null): boolean {
  if (entry.digestVersion >= TOOL_DIGEST_VERSION || entry.digest !== toolDigest(item, entry.digestVersion)) return false;
  // The kept definition is as read: its digest is the item's as read (readDigest) when the parse changed a number.
  const kept = toolDigest(entry.definition);
  return kept === digest || (readDigest !== null && kept === readDigest);
}

/**
 * Decides, for one list (tools, prompts, resource templates) or the server instructions,
 * what the client may see. First sight of a server
 * pins everything that carries no high-severity poisoning cue (trust on first use);
 * after that a changed or new tool is held until someone accepts it, unless a deploy
 * window with a change ticket is open. Only tools that differ from their pin are
 * scanned for cues, each held version once, so a stable server costs one hash per tool.
 */
export function reviewManifest(deps: ManifestGateDeps, ctx: ManifestContext, kind: ManifestKind, items: unknown[], listed: ListedFrom = {}): BlockedTools {
  const { page } = listed;
  const pinned = new Map(deps.pins.pins(ctx.server).filter((p) => kindOfKey(p.tool) === kind).map((p) => [p.tool, p]));
  const pending = new Map(deps.pins.pending(ctx.server).filter((p) => kindOfKey(p.tool) === kind).map((p) => [p.tool, p]));
  // First sight is per kind: tools are usually listed before prompts, which must not
  // make every prompt look "new since approval". It is marked, not inferred from what is
  // stored: a first listing that was empty (or whose every item was held but not kept) left
  // nothing, and the tools the server added after approval were pinned unreviewed. Pins or
  // held items count as seen too, for stores from before the marker (a server whose first
  // look then stored nothing gets one more first sight).
  // Seen at the first page, so a listing whose next page never comes still ends first sight.
  // A later page of a first listing is first sight too, though its first page pinned tools,
  // when it was asked with a cursor a first-sight page named (first-sight-listings.ts).
  const fresh = pinned.size === 0 && pending.size === 0 && !deps.pins.seen(ctx.server, kind);
  if (fresh) deps.pins.markSeen(ctx.server, kind);
  const continued = !fresh && typeof page?.cursor === 'string' && (deps.firstSightListings?.take(ctx.server, kind, page.cursor) ?? false);
  const firstSight = fresh || continued;
  if (firstSight && page?.next) deps.firstSightListings?.open(ctx.server, kind, page.next, continued);
  const window = deps.deployWindow();
  const siblingToolNames = kind === 'tools' ? items.map((t) => String((t as { name?: unknown }).name ?? '')) : [];
  // Without a prototype: on a plain object `blocked['__proto__'] = reason` sets no key (a string
  // is no prototype), and a new or drifted tool named `__proto__` was in no verdict.
  const blocked: BlockedTools = Object.create(null) as BlockedTools;
  let pinnedNow = 0;
  let upgraded = 0;
  let numbersUpgraded = 0;
  const audit = (decision: string, key: string | null, reason: string) =>
    deps.audit.append({ event: 'manifest', decision, serverName: ctx.server, toolName: key, client: ctx.client, sessionId: ctx.sessionId, ruleId: 'manifest-pin', reason });
  const limits = deps.heldLimits ?? HELD_LIMITS;
  const keeper = createHeldKeeper(deps.pins, ctx.server, limits);
  /** Holds one version for review: audited when it is a new version (unless `quiet`), hidden and denied either way. */
  const hold = (entry: { key: string; digest: string; item: unknown; kind: PendingKind; reason: string }, decision: string, quiet = false) => {
    const kept = keeper.keep({ server: ctx.server, tool: entry.key, digest: entry.digest, definition: entry.item, kind: entry.kind, reason: entry.reason }, pending.get(entry.key));
    if (kept === 'new' && !quiet) audit(decision, entry.key, entry.reason);
    blocked[entry.key] = kept === 'not-kept' ? `${entry.reason}; ${notKept(limits)}` : entry.reason;
  };

  const entries = items.flatMap((item, i) => {
    if (!item || typeof item !== 'object') return [];
    // Numbers the parse changed are digested as the server wrote them (jsonrpc/source-number.ts);
    // the item itself (stored, shown, read for cues) is left as read.
    const sources = listed.numbers?.[i];
    const digested = sources ? withNumberSources(item, sources) : item;
    const digestItem = (of: unknown) => (kind === 'tools' ? toolDigest(of) : digestOf(of));
    const digest = digestItem(digested);
    // The digest a version before 6e652d2 pinned (the item as read), where it may stand in for this one.
    const readDigest = digested !== item && sources && readsAsFiniteNumbers(sources) ? digestItem(item) : null;
    return [{ item, key: manifestKey(kind, item as Record<string, unknown>), digest, readDigest: readDigest !== digest ? readDigest : null }];
  });
  // One name listed with two definitions: which one a client shows (and the model reads) is
  // the client's choice, and a pin can hold only one. Both are hidden, held as poisoned.
  const digestsOf = new Map<string, Set<string>>();
  for (const { key, digest } of entries) digestsOf.set(key, (digestsOf.get(key) ?? new Set()).add(digest));
  const judged = new Set<string>();
  for (const { item, key, digest, readDigest } of entries) {
    // A second copy is judged with the first (the same definition twice is no harm).
    if (judged.has(key)) continue;
    judged.add(key);
    // Judged by its name, not by the key's shape: skipping keys that ended in ':' let a
    // tool named `run:` change freely, and one with no name put its description in front
    // of the model unscanned. Nameless items cannot be called or got; they are never shown.
    const id = (item as Record<string, unknown>)[ID_FIELD[kind]];
    if (typeof id !== 'string' || id === '') {
      hold({ key, digest, item, kind: 'poisoned', reason: `it has no ${ID_FIELD[kind]}, so it cannot be pinned; its text is not shown` }, 'POISONED');
      continue;
    }
    const versions = digestsOf.get(key)!.size;
    if (versions > 1) {
      hold({ key, digest, item, kind: 'poisoned', reason: `it is listed ${versions} times with different definitions: a client may show any of them, and the pins can check one` }, 'POISONED');
      continue;
    }
    const pin = pinned.get(key);
    // Prompts, templates and instructions have one digest; a tool's pin is also of a version.
    if (pin?.digest === digest && (kind !== 'tools' || pin.digestVersion === TOOL_DIGEST_VERSION)) continue;
    // Pinned before numbers the parse changed were digested as written (a Go schema's
    // "maximum": 9223372036854775807, a %.17g writer's 0.10000000000000001): the pin is of
    // this very text, so it takes the exact digest, once, rather than report drift. Only pins
    // from before (as-read-pins.ts): one made since of 9007199254740992 holds …993 as drift.
    if (pin?.digestedAsRead && readDigest !== null && pin.digest === readDigest && (kind !== 'tools' || pin.digestVersion === TOOL_DIGEST_VERSION)) {
      deps.pins.upgradePin(ctx.server, key, digest, pin.digestVersion);
      numbersUpgraded++;
      continue;
    }
    if (kind === 'tools' && pin && sameUnderOlderDigest(pin, item, digest, pin.digestedAsRead ? readDigest : null)) {
      deps.pins.upgradePin(ctx.server, key, digest, TOOL_DIGEST_VERSION);
      upgraded++;
      continue;
    }
    const waiting = pending.get(key);
    // Listed again as it is held (a server can send list_changed at will): its verdict stands
    // and it is not read again, which for a large definition took most of a second each time.
    const unchanged = waiting?.digest === digest;
    if (unchanged && waiting.kind === 'poisoned') {
      blocked[key] = waiting.reason;
      continue;
    }
    // A change held since before the upgrade was audited (and paged) then: re-held under the new
    // digest, not again. So is one held before numbers the parse changed were digested as the
    // server wrote them, whose as-read digest this item's is (as-read-pins.ts lists those rows).
    const heldAsRead = waiting?.digestedAsRead === true && readDigest !== null && waiting.digest === readDigest && (kind !== 'tools' || waiting.digestVersion === TOOL_DIGEST_VERSION);
    const heldBefore = heldAsRead || (kind === 'tools' && waiting !== undefined && sameUnderOlderDigest(waiting, item, digest));
    const size = unchanged ? 0 : JSON.stringify(item).length;
    if (size > MAX_SCANNED_DEFINITION_CHARS) {
      const reason = `its definition is ${size} characters, more than the ${MAX_SCANNED_DEFINITION_CHARS} read for poisoning cues, so it is held unread; review with: mcp-firewall pins diff ${argWord(ctx.server)}`;
      hold({ key, digest, item, kind: 'poisoned', reason }, 'POISONED', heldBefore);
      continue;
    }
    const cues = unchanged ? [] : kind === 'tools' ? findPoisoningCues(item, { siblingToolNames }) : textCues(item);
    if (toolVerdict(cues) === 'block') {
      hold({ key, digest, item, kind: 'poisoned', reason: `poisoning cues in its definition: ${cueSummary(cues)}` }, 'POISONED', heldBefore);
      continue;
    }
    // Only what has no pin and nothing held: a changed definition of a pinned tool on a later
    // page is drift, as on any other listing, never re-pinned as first sight.
    if (firstSight && !pin && !waiting) {
      deps.pins.pin(ctx.server, key, digest, item);
      pinnedNow++;
      continue;
    }
    const change = pin ? 'drifted' : 'new';
    if (window && Date.parse(window.until) > Date.now()) {
      deps.pins.pin(ctx.server, key, digest, item);
      deps.pins.clearPending(ctx.server, key);
      audit('DRIFT_IN_WINDOW', key, `${change} ${KIND_NOUN[kind]} accepted inside the deploy window of change ${window.ticket}`);
      continue;
    }
    const reason = pin
      ? `its definition changed since it was approved (manifest drift); review with: mcp-firewall pins diff ${argWord(ctx.server)}`
      : `it is new since the server was approved; review with: mcp-firewall pins diff ${argWord(ctx.server)}`;
    hold({ key, digest, item, kind: change, reason }, pin ? 'DRIFT' : 'NEW_TOOL', heldBefore);
  }
  const refused = keeper.refused();
  // Once, as the server reaches its bound: a server past it would otherwise add a row per listing.
  if (refused.count > 0 && refused.newlyFull) audit('HELD_NOT_KEPT', null, `${refused.count} changed or new ${KIND_NOUN[kind]}(s) hidden and denied but not kept: ${notKept(limits)}`);
  if (pinnedNow > 0) audit('PINNED', null, `first sight: pinned ${pinnedNow} ${KIND_NOUN[kind]}(s)`);
  if (upgraded > 0) {
    audit('PIN_UPGRADED', null, `${upgraded} pinned tool(s) unchanged since approval now pinned with digest v${TOOL_DIGEST_VERSION}, which also covers execution, icons and _meta`);
  }
  if (numbersUpgraded > 0) {
    audit('PIN_UPGRADED', null, `${numbersUpgraded} pinned ${KIND_NOUN[kind]}(s) unchanged since approval now pinned with their numbers digested as the server wrote them`);
  }
  return blocked;
}

/**
 * Whether every number the parse changed still read as a number. One past the range of
 * doubles reads as Infinity, which the old digest wrote as null: a pin of `null` must not
 * pass for `1e400` (the swap 6e652d2 caught), so such an old pin drifts.
 */
const readsAsFiniteNumbers = (sources: NumberSources): boolean => sources.every(([, source]) => Number.isFinite(Number(source)));

const notKept = (limits: HeldLimits) =>
  `not kept for review, because this server already has as many definitions held as are kept (${limits.items}, or ${limits.chars / 1024 / 1024} MiB of JSON): accept what is held to make room`;

/** The member that names an item of each kind (and so keys its pin). */
const ID_FIELD: Record<ManifestKind, string> = { tools: 'name', prompts: 'name', resourceTemplates: 'uriTemplate', instructions: 'name' };

const KIND_NOUN: Record<ManifestKind, string> = { tools: 'tool', prompts: 'prompt', resourceTemplates: 'resource template', instructions: 'server instructions' };

/** Prompts, templates and instructions are prose: every string in them is read for cues. */
function textCues(item: unknown): Cue[] {
  const cues = boundedCues();
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') cues.add(findTextCues(path, value));
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
  };
  visit(item, '');
  return cues.kept;
}
