import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createFirstSightListings, type ListingPage } from '../../../main/firewall/pins/first-sight-listings.js';
import { reviewManifest } from '../../../main/firewall/pins/manifest-gate.js';
import { createPinStore } from '../../../main/firewall/pins/pin-store.js';

const schema = { type: 'object', properties: {} };
const tool = (name: string, description = `Does ${name}.`) => ({ name, description, inputSchema: schema });

function setup() {
  const pins = createPinStore(new DatabaseSync(':memory:'));
  const rows: AuditEntry[] = [];
  const audit = { append: (entry: AuditEntry) => (rows.push(entry), { id: 1, rowHash: '' }), appendBatch: () => {} } as unknown as AuditLog;
  const clock = { now: 1_000_000 };
  const listings = () => createFirstSightListings({ now: () => clock.now });
  let firstSightListings = listings();
  const review = (items: unknown[], page?: ListingPage) =>
    reviewManifest({ pins, audit, deployWindow: () => null, firstSightListings }, { server: 'paged', client: 'test', sessionId: 's' }, 'tools', items, { page });
  const restartEngine = () => void (firstSightListings = listings());
  return { pins, review, restartEngine, rows, clock };
}

describe('first sight of a paginated listing', () => {
  it('pins every page of the first listing, and marks the kind seen at its first page', () => {
    const { pins, review } = setup();
    expect(review([tool('a')], { cursor: null, next: 'p2' })).toEqual({});
    expect(pins.seen('paged', 'tools')).toBe(true);
    expect(review([tool('b')], { cursor: 'p2', next: 'p3' })).toEqual({});
    expect(review([tool('c')], { cursor: 'p3', next: null })).toEqual({});
    expect(pins.pins('paged').map((p) => p.tool).sort()).toEqual(['a', 'b', 'c']);
    expect(pins.seen('paged', 'tools')).toBe(true);
    expect(review([tool('d')], { cursor: 'p3', next: null }).d).toMatch(/it is new since the server was approved/);
  });

  it('holds a page asked with a cursor no first-sight page named', () => {
    const { review } = setup();
    review([tool('a')], { cursor: null, next: 'p2' });
    expect(review([tool('x')], { cursor: 'elsewhere', next: null }).x).toMatch(/it is new since the server was approved/);
  });

  it('holds the later pages of a first listing left half-read when the engine restarted', () => {
    const { review, restartEngine } = setup();
    review([tool('a')], { cursor: null, next: 'p2' });
    restartEngine();
    expect(review([tool('b')], { cursor: 'p2', next: null }).b).toMatch(/it is new since the server was approved/);
  });

  it('ends first sight at once for a listing given without page information, as before', () => {
    const { pins, review } = setup();
    review([tool('a')]);
    expect(pins.seen('paged', 'tools')).toBe(true);
    expect(review([tool('b')], { cursor: 'p2', next: null }).b).toMatch(/new since/);
  });

  it('holds what a server lists later when the first page named a cursor whose page never came, also after a restart', () => {
    // The page after the cursor errored or never came: the kind was left unseen, and whatever
    // the server listed later (even after a restart) was pinned as first sight, unreviewed.
    const { pins, review, restartEngine } = setup();
    expect(review([], { cursor: null, next: 'p2' })).toEqual({});
    expect(pins.seen('paged', 'tools')).toBe(true);
    expect(review([tool('late')], { cursor: null, next: null }).late).toMatch(/it is new since the server was approved/);
    restartEngine();
    expect(review([tool('later')], { cursor: null, next: null }).later).toMatch(/it is new since the server was approved/);
    expect(pins.pins('paged').map((p) => p.tool)).toEqual([]);
  });

  it('holds as drift a changed definition of a tool already pinned, on a later page of a listing that never ends', () => {
    const { pins, review, rows } = setup();
    review([tool('a')], { cursor: null, next: 'c' });
    review([tool('b')], { cursor: 'c', next: 'c' });
    const digests = pins.pins('paged').map((p) => `${p.tool}:${p.digest}`).sort();
    const blocked = review([tool('b', 'Does b. Changed.'), tool('a', 'Does a. Changed.')], { cursor: 'c', next: 'c' });
    expect(blocked.a).toMatch(/its definition changed since it was approved/);
    expect(blocked.b).toMatch(/its definition changed since it was approved/);
    expect(pins.pins('paged').map((p) => `${p.tool}:${p.digest}`).sort()).toEqual(digests);
    expect(rows.filter((r) => r.decision === 'DRIFT').map((r) => r.toolName).sort()).toEqual(['a', 'b']);
  });

  it('counts a cursor once: the same page asked again with it is no longer first sight', () => {
    const { review } = setup();
    review([tool('a')], { cursor: null, next: 'p2' });
    expect(review([tool('b')], { cursor: 'p2', next: null })).toEqual({});
    expect(review([tool('x')], { cursor: 'p2', next: null }).x).toMatch(/it is new since the server was approved/);
  });

  it('ends first sight for a first listing that goes on past its time or its page bound', () => {
    const { review, clock } = setup();
    review([tool('a')], { cursor: null, next: 'c1' });
    clock.now += 10 * 60_000;
    expect(review([tool('slow')], { cursor: 'c1', next: null }).slow).toMatch(/it is new since the server was approved/);

    const loop = setup();
    loop.review([tool('a')], { cursor: null, next: 'c' });
    let page = 0;
    let held: string | undefined;
    while (held === undefined && page < 10_000) held = loop.review([tool(`t${++page}`)], { cursor: 'c', next: 'c' })[`t${page}`];
    expect(held).toMatch(/it is new since the server was approved/);
    expect(page).toBeLessThanOrEqual(1000);
  });
});
