import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { numberSourcesIn, parsedWithSources } from '../../../main/firewall/jsonrpc/source-number.js';
import { canonicalJson } from '../../../main/firewall/manifest/canonical-json.js';
import { pinnedView } from '../../../main/firewall/manifest/digest.js';
import { reviewManifest } from '../../../main/firewall/pins/manifest-gate.js';
import { createPinStore } from '../../../main/firewall/pins/pin-store.js';

// Before 6e652d2 a tool was digested as JSON.parse read it: 9223372036854775807 as
// 9223372036854775808, 0.10000000000000001 as 0.1. This is that digest, written out so the
// test does not lean on the code it checks.
const digestAsRead = (tool: unknown) => createHash('sha256').update(canonicalJson(pinnedView(tool)), 'utf8').digest('hex');

/** A tools/list page as the server wrote it: the tool as read, and the numbers the shim sends beside it. */
function listed(maximum: string, description = 'Lists issues.') {
  const text = `{"tools":[{"name":"list_issues","description":${JSON.stringify(description)},"inputSchema":{"type":"object","properties":{"page":{"type":"integer","minimum":1,"maximum":${maximum}}}}}]}`;
  const tool = (JSON.parse(text) as { tools: unknown[] }).tools[0];
  const withSources = parsedWithSources(text) as { tools: unknown[] } | null;
  return { tool, numbers: withSources ? withSources.tools.map(numberSourcesIn) : undefined };
}

// The pins table as the version before wrote it, and a pin in it with the digest as read.
const PREVIOUS_PINS_TABLE = `CREATE TABLE manifest_pins (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, digest TEXT NOT NULL, tool_json TEXT NOT NULL, pinned_at TEXT NOT NULL, digest_version INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (server_name, tool_name));
CREATE TABLE manifest_seen (server_name TEXT NOT NULL, kind TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (server_name, kind));
INSERT INTO manifest_seen VALUES ('gh', 'tools', '2026-11-01T00:00:00.000Z');`;
function pinnedBefore(db: DatabaseSync, tool: unknown, digestVersion = 2): void {
  db.prepare('INSERT INTO manifest_pins VALUES (?, ?, ?, ?, ?, ?)').run('gh', 'list_issues', digestAsRead(tool), JSON.stringify(tool), '2026-11-01T00:00:00.000Z', digestVersion);
}

function setup(before?: (db: DatabaseSync) => void) {
  const db = new DatabaseSync(':memory:');
  if (before) {
    db.exec(PREVIOUS_PINS_TABLE);
    before(db);
  }
  const pins = createPinStore(db);
  const rows: AuditEntry[] = [];
  const audit = { append: (entry: AuditEntry) => (rows.push(entry), { id: rows.length, rowHash: '' }), appendBatch: () => {} } as unknown as AuditLog;
  const review = ({ tool, numbers }: ReturnType<typeof listed>) =>
    reviewManifest({ pins, audit, deployWindow: () => null }, { server: 'gh', client: 'test', sessionId: 's' }, 'tools', [tool], { numbers });
  return { pins, rows, review, decisions: () => rows.map((r) => r.decision) };
}

describe('a pin written before numbers were digested as the server wrote them', () => {
  it.each(['9223372036854775807', '18446744073709551615', '0.10000000000000001', '282879384806159008'])(
    'of a tool whose schema says %s is taken to the exact digest once, without drift',
    (maximum) => {
      const page = listed(maximum);
      expect(page.numbers, 'the parse changes this number').toBeDefined();
      const { pins, review, decisions } = setup((db) => pinnedBefore(db, page.tool));

      expect(review(page)).toEqual({});
      expect(decisions()).toEqual(['PIN_UPGRADED']);
      const upgraded = pins.pins('gh')[0]!;
      expect(upgraded.digest).not.toBe(digestAsRead(page.tool));
      // Listed again: the pin is current, nothing more is audited.
      expect(review(page)).toEqual({});
      expect(decisions()).toEqual(['PIN_UPGRADED']);
    },
  );

  it('still drifts when, after the upgrade, the server writes another number that reads alike', () => {
    const page = listed('9223372036854775807');
    const { review, decisions } = setup((db) => pinnedBefore(db, page.tool));
    review(page);
    const other = listed('9223372036854775806');
    expect(digestAsRead(other.tool)).toBe(digestAsRead(page.tool));
    expect(review(other).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual(['PIN_UPGRADED', 'DRIFT']);
  });

  it('does not take a bound past the range of doubles (read as null) for the null a pin holds', () => {
    // 1e400 reads as Infinity, which canonical JSON writes as null: the swap 6e652d2 caught.
    const before = listed('null');
    const { review, decisions } = setup((db) => pinnedBefore(db, before.tool));
    expect(review(listed('1e400')).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual(['DRIFT']);
  });

  it('still drifts when the text changed as well', () => {
    const page = listed('9223372036854775807');
    const { review } = setup((db) => pinnedBefore(db, page.tool));
    expect(review(listed('9223372036854775807', 'Lists issues, then closes them.')).list_issues).toMatch(/its definition changed since it was approved/);
  });
});

describe('a pin of the digest before execution, icons and _meta were pinned, of a tool with such a number', () => {
  it('is upgraded without drift', () => {
    const page = listed('18446744073709551615');
    const { pins, review, decisions } = setup((db) => pinnedBefore(db, page.tool, 1));
    expect(pins.pins('gh')[0]!.digestVersion).toBe(1);
    expect(review(page)).toEqual({});
    expect(decisions()).toEqual(['PIN_UPGRADED']);
    expect(pins.pins('gh')[0]!.digestVersion).toBe(2);
  });
});

describe('a pin made since numbers are digested as written', () => {
  it('holds as drift a number written otherwise that reads alike, though the digest as read is the pin\'s', () => {
    const { pins, review, decisions } = setup();
    const exact = listed('9007199254740992');
    expect(exact.numbers).toBeUndefined();
    expect(review(exact)).toEqual({});
    expect(pins.pins('gh')[0]!.digestedAsRead).toBe(false);
    const other = listed('9007199254740993');
    expect(digestAsRead(other.tool)).toBe(pins.pins('gh')[0]!.digest);
    expect(review(other).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual(['PINNED', 'DRIFT']);
  });

  it('lists only the pins that were there before, once: a pin written later is not taken as read', () => {
    const page = listed('0.10000000000000001');
    const { pins } = setup((db) => pinnedBefore(db, page.tool));
    expect(pins.pins('gh')[0]!.digestedAsRead).toBe(true);
    pins.pin('gh', 'list_issues', digestAsRead(page.tool), page.tool);
    expect(pins.pins('gh')[0]!.digestedAsRead).toBe(false);
  });
});

// The held table as the version before wrote it, and a change held in it with the digest as read.
const PREVIOUS_PENDING_TABLE = `CREATE TABLE manifest_pending (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, digest TEXT NOT NULL, tool_json TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, first_seen TEXT NOT NULL, digest_version INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (server_name, tool_name));`;
function heldBefore(db: DatabaseSync, tool: unknown): void {
  db.exec(PREVIOUS_PENDING_TABLE);
  db.prepare('INSERT INTO manifest_pending VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('gh', 'list_issues', digestAsRead(tool), JSON.stringify(tool), 'drifted', 'its definition changed since it was approved (manifest drift)', '2026-11-01T00:00:00.000Z', 2);
}

describe('a change the version before held, digested as read', () => {
  const approved = listed('100');
  const changed = listed('9223372036854775807', 'Lists issues, paged.');

  it('accepted after the upgrade before any relook, is pinned and taken to the exact digest without drift', () => {
    const { pins, review, decisions } = setup((db) => (pinnedBefore(db, approved.tool), heldBefore(db, changed.tool)));
    // The person runs `pins diff`, then `pins accept --tool list_issues --digest <shown>`.
    const shown = pins.pending('gh')[0]!.digest;
    expect(pins.accept('gh', { tool: 'list_issues', digest: shown })).toEqual(['list_issues']);
    expect(pins.pins('gh')[0]!.digestedAsRead).toBe(true);
    expect(review(changed)).toEqual({});
    expect(decisions()).toEqual(['PIN_UPGRADED']);
    expect(pins.pins('gh')[0]!.digest).not.toBe(shown);
    expect(review(changed)).toEqual({});
    expect(decisions()).toEqual(['PIN_UPGRADED']);
  });

  it('listed again after the upgrade stays held as the same change, not audited as a second DRIFT', () => {
    const { pins, review, decisions } = setup((db) => (pinnedBefore(db, approved.tool), heldBefore(db, changed.tool)));
    expect(review(changed).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual([]);
    expect(review(changed).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual([]);
    // Accepted now, with the digest shown now: pinned, and listed without drift.
    expect(pins.accept('gh', { tool: 'list_issues', digest: pins.pending('gh')[0]!.digest })).toEqual(['list_issues']);
    expect(review(changed)).toEqual({});
    expect(decisions()).toEqual([]);
  });

  it('is a new change when the server now writes another number that reads alike', () => {
    const { review, decisions } = setup((db) => (pinnedBefore(db, approved.tool), heldBefore(db, changed.tool)));
    const other = listed('9223372036854775806', 'Lists issues, paged.');
    expect(digestAsRead(other.tool)).toBe(digestAsRead(changed.tool));
    expect(review(other).list_issues).toMatch(/its definition changed since it was approved/);
    // The held row was listed as read, but what is held now is exact: the next server change drifts again.
    expect(decisions()).toEqual([]);
    expect(review(changed).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual(['DRIFT']);
  });

  it('lists only the changes held before, once: one held later is not taken as read', () => {
    const { pins, review, decisions } = setup((db) => pinnedBefore(db, approved.tool));
    pins.setPending({ server: 'gh', tool: 'list_issues', digest: digestAsRead(changed.tool), definition: changed.tool, kind: 'drifted', reason: 'held' });
    expect(pins.pending('gh')[0]!.digestedAsRead).toBe(false);
    expect(review(changed).list_issues).toMatch(/its definition changed since it was approved/);
    expect(decisions()).toEqual(['DRIFT']);
  });
});

describe('a store the pins were listed in before the held changes were (f6c8a8e)', () => {
  it('opens, and lists none of its held rows as read: which digest each has is not known', () => {
    const db = new DatabaseSync(':memory:');
    const changed = listed('9223372036854775807', 'Lists issues, paged.');
    db.exec(PREVIOUS_PINS_TABLE);
    heldBefore(db, changed.tool);
    db.exec(`CREATE TABLE manifest_pins_read_digest (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));`);
    const pins = createPinStore(db);
    expect(pins.pending('gh')[0]!.digestedAsRead).toBe(false);
    // Opened again, nothing is listed anew.
    expect(createPinStore(db).pending('gh')[0]!.digestedAsRead).toBe(false);
  });
});
