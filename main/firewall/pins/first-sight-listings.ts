import type { ManifestKind } from './manifest-keys.js';
import type { NumberSources } from '../jsonrpc/source-number.js';

// First sight (trust on first use) covers the whole first listing, not its first page: a
// server that pages its tools had page 1 pinned, and every tool of a later page held as new
// (its calls denied, the drift gate paged) though nobody had ever approved anything else.
// The kind is marked seen at the first page, as before pages were followed: waiting for the
// last page left it unseen when that page errored or never came, and whatever the server
// listed later (after a restart too) was pinned unreviewed. A first-sight page that names a
// next cursor lets the one page asked with that cursor be first sight too, in this engine run
// only, each cursor once, and the whole first listing within MAX_FIRST_LISTING_PAGES pages and
// MAX_FIRST_LISTING_MS: a cursor loop would otherwise keep first sight open for the whole run.
// After a restart a listing left half-read is no longer first sight; its later pages are held.

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
/** Pages of one first listing that count as first sight (the shim's own look follows at most 100). */
const MAX_FIRST_LISTING_PAGES = 100;
/** How long after its first page a first listing's later pages count as first sight. */
const MAX_FIRST_LISTING_MS = 2 * 60_000;

export interface FirstSightListings {
  /**
   * Whether the page asked with `cursor` continues this server's first listing of `kind`: its
   * cursor was named by a first-sight page, and the listing is within its bounds. Spends the
   * cursor: asked again with it, the page is no longer first sight.
   */
  take(server: string, kind: ManifestKind, cursor: string): boolean;
  /** A first-sight page named `next`. `continued`: it was a later page, not the first page of the first listing. */
  open(server: string, kind: ManifestKind, next: string, continued: boolean): void;
}

interface FirstListing {
  startedAt: number;
  pages: number;
  cursors: string[];
}

export function createFirstSightListings(options: { now?: () => number } = {}): FirstSightListings {
  const now = options.now ?? Date.now;
  const listings = new Map<string, FirstListing>();
  const keyOf = (server: string, kind: ManifestKind) => JSON.stringify([server, kind]);
  return {
    take(server, kind, cursor) {
      const key = keyOf(server, kind);
      const listing = listings.get(key);
      if (!listing) return false;
      if (now() - listing.startedAt > MAX_FIRST_LISTING_MS || listing.pages >= MAX_FIRST_LISTING_PAGES) {
        listings.delete(key);
        return false;
      }
      const at = listing.cursors.indexOf(cursor);
      if (at < 0) return false;
      listing.cursors.splice(at, 1);
      listing.pages++;
      return true;
    },
    open(server, kind, next, continued) {
      const key = keyOf(server, kind);
      const listing = continued ? listings.get(key) : undefined;
      if (continued && !listing) return;
      const into = listing ?? { startedAt: now(), pages: 1, cursors: [] };
      if (!into.cursors.includes(next)) into.cursors.push(next);
      if (into.cursors.length > MAX_OPEN_CURSORS) into.cursors.shift();
      listings.set(key, into);
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
