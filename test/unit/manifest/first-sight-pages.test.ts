import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createFirstSightListings, type ListingPage } from '../../../main/firewall/pins/first-sight-listings.js';
import { reviewManifest } from '../../../main/firewall/pins/manifest-gate.js';
import { createPinStore } from '../../../main/firewall/pins/pin-store.js';

const schema = { type: 'object', properties: {} };
const tool = (name: string) => ({ name, description: `Does ${name}.`, inputSchema: schema });

function setup() {
  const pins = createPinStore(new DatabaseSync(':memory:'));
  const audit = { append: (_entry: AuditEntry) => ({ id: 1, rowHash: '' }), appendBatch: () => {} } as AuditLog;
  let firstSightListings = createFirstSightListings();
  const review = (items: unknown[], page?: ListingPage) =>
    reviewManifest({ pins, audit, deployWindow: () => null, firstSightListings }, { server: 'paged', client: 'test', sessionId: 's' }, 'tools', items, { page });
  const restartEngine = () => void (firstSightListings = createFirstSightListings());
  return { pins, review, restartEngine };
}

describe('first sight of a paginated listing', () => {
  it('pins every page of the first listing, and ends with its last page', () => {
    const { pins, review } = setup();
    expect(review([tool('a')], { cursor: null, next: 'p2' })).toEqual({});
    expect(pins.seen('paged', 'tools')).toBe(false);
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
});
