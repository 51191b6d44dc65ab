import type { ManifestKind } from './manifest-keys.js';
import type { NumberSources } from '../jsonrpc/source-number.js';

// First sight (trust on first use) covers the whole first listing, not its first page: a
// server that pages its tools had page 1 pinned, and every tool of a later page held as new
// (its calls denied, the drift gate paged) though nobody had ever approved anything else.
// A first-sight page that names a next cursor keeps first sight open for the page asked with
// that cursor; the listing's last page (no next cursor) ends it, and only then is the kind
// marked seen. Kept in the engine's memory only: after a restart a listing left half-read is
// no longer first sight, and its later pages are held for review (towards refusing).

/** One page of a listing: the cursor it was asked with (null: the first page) and the one it gave for the next. */
export interface ListingPage {
  cursor: string | null;
  next: string | null;
}

/**
 * What the shim tells of a listed page besides its items: which page of a listing it is, and
 * per item the numbers the parse changed, as the server wrote them (jsonrpc/source-number.ts).
 */
export interface ListedFrom {
  page?: ListingPage;
  numbers?: ReadonlyArray<NumberSources | null>;
}

/** Cursors kept per server and kind: a few listings (the firewall's own, a client's) may page at once. */
const MAX_OPEN_CURSORS = 8;

export interface FirstSightListings {
  /** Whether `cursor` was named by a first-sight page of this server and kind (its page is first sight too). */
  continues(server: string, kind: ManifestKind, cursor: string): boolean;
  /** A first-sight page named `next`: the page asked with it is first sight too. */
  open(server: string, kind: ManifestKind, next: string): void;
  /** The first listing ended: nothing continues it. */
  close(server: string, kind: ManifestKind): void;
}

export function createFirstSightListings(): FirstSightListings {
  const open = new Map<string, string[]>();
  const keyOf = (server: string, kind: ManifestKind) => JSON.stringify([server, kind]);
  return {
    continues: (server, kind, cursor) => open.get(keyOf(server, kind))?.includes(cursor) ?? false,
    open(server, kind, next) {
      const cursors = open.get(keyOf(server, kind)) ?? [];
      if (!cursors.includes(next)) cursors.push(next);
      if (cursors.length > MAX_OPEN_CURSORS) cursors.shift();
      open.set(keyOf(server, kind), cursors);
    },
    close(server, kind) {
      open.delete(keyOf(server, kind));
    },
  };
}

/** What the shim said of a page (page, numbers), each part read only as the shape it must have. */
export function listedFromOf(message: { page?: unknown; numbers?: unknown }): ListedFrom {
  return { page: listingPageOf(message.page), numbers: numberSourcesListOf(message.numbers) };
}

function numberSourcesListOf(value: unknown): Array<NumberSources | null> | undefined {
  if (!Array.isArray(value)) return undefined;
  const isPath = (path: unknown) => Array.isArray(path) && path.every((key) => typeof key === 'string' || typeof key === 'number');
  const isSources = (entry: unknown): entry is NumberSources =>
    Array.isArray(entry) && entry.every((at) => Array.isArray(at) && at.length === 2 && isPath(at[0]) && typeof at[1] === 'string');
  return value.map((entry) => (isSources(entry) ? entry : null));
}

/** A page as the shim described it, or undefined when it did not (or not as a page): read towards the old behaviour. */
function listingPageOf(value: unknown): ListingPage | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { cursor, next } = value as Record<string, unknown>;
  const cursorOk = cursor === null || typeof cursor === 'string';
  const nextOk = next === null || typeof next === 'string';
  return cursorOk && nextOk ? { cursor: cursor as string | null, next: next as string | null } : undefined;
}
