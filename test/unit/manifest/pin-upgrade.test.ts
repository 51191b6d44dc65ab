import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { canonicalJson } from '../../../main/firewall/manifest/canonical-json.js';
import { TOOL_DIGEST_VERSION, toolDigest } from '../../../main/firewall/manifest/index.js';
import { reviewManifest } from '../../../main/firewall/pins/manifest-gate.js';
import { createPinStore } from '../../../main/firewall/pins/pin-store.js';

const schema = { type: 'object', properties: {} };
const notes = { name: 'read_notes', description: 'Reads notes.', inputSchema: schema, icons: [{ src: 'https://notes.example/icon.png' }], _meta: { ui: { resourceUri: 'ui://notes/view.html' } } };
const chart = { name: 'show_chart', description: 'Shows a chart.', inputSchema: schema, _meta: { ui: { resourceUri: 'ui://chart/view.html' } } };
const tickets = { name: 'list_tickets', description: 'Lists the open tickets.', inputSchema: schema };

// What the code before digest versions stored: this table, this INSERT, and a digest over
// name, title, description, inputSchema, outputSchema and annotations only.
const OLD_PINS_TABLE = `CREATE TABLE manifest_pins (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, digest TEXT NOT NULL, tool_json TEXT NOT NULL, pinned_at TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));
CREATE TABLE manifest_pending (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, digest TEXT NOT NULL, tool_json TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));`;
function oldDigest(tool: Record<string, unknown>): string {
  const view: Record<string, unknown> = {};
  for (const field of ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']) if (tool[field] !== undefined) view[field] = tool[field];
  return createHash('sha256').update(canonicalJson(view), 'utf8').digest('hex');
}
function oldPin(db: DatabaseSync, tool: Record<string, unknown>): void {
  db.prepare('INSERT INTO manifest_pins (server_name, tool_name, digest, tool_json, pinned_at) VALUES (?, ?, ?, ?, ?)').run('notes', tool.name as string, oldDigest(tool), JSON.stringify(tool), '2026-01-01T00:00:00.000Z');
}

function setup(seed: (db: DatabaseSync) => void) {
  const db = new DatabaseSync(':memory:');
  db.exec(OLD_PINS_TABLE);
  seed(db);
  const pins = createPinStore(db);
  const rows: AuditEntry[] = [];
  const audit = { append: (entry: AuditEntry) => (rows.push(entry), { id: rows.length, rowHash: '' }), appendBatch: () => {} } as AuditLog;
  const review = (tools: unknown[]) => reviewManifest({ pins, audit, deployWindow: () => null }, { server: 'notes', client: 'test', sessionId: 's' }, 'tools', tools);
  return { pins, rows, review, decisions: () => rows.map((r) => [r.decision, r.toolName ?? null]) };
}

describe('pins made with the digest before execution, icons and _meta were pinned', () => {
  it('are re-pinned under the new digest without drift when the tool is unchanged, with one audit row', () => {
    const { pins, review, decisions } = setup((db) => [notes, tickets].forEach((t) => oldPin(db, t)));
    expect(pins.pins('notes').map((p) => p.digestVersion)).toEqual([1, 1]);
    expect(review([notes, { ...tickets, execution: { taskSupport: 'forbidden' } }])).toEqual({});
    expect(decisions()).toEqual([['PIN_UPGRADED', null]]);
    const upgraded = pins.pins('notes');
    expect(upgraded.map((p) => [p.tool, p.digestVersion, p.digest, p.pinnedAt])).toEqual([
      ['list_tickets', TOOL_DIGEST_VERSION, toolDigest(tickets), '2026-01-01T00:00:00.000Z'],
      ['read_notes', TOOL_DIGEST_VERSION, toolDigest(notes), '2026-01-01T00:00:00.000Z'],
    ]);
    // Audited once: the next look finds current pins.
    expect(review([notes, tickets])).toEqual({});
    expect(decisions()).toEqual([['PIN_UPGRADED', null]]);
  });

  it('still drift on a real change, including a UI swapped after approval that the old digest did not see', () => {
    const { review, decisions } = setup((db) => [notes, chart, tickets].forEach((t) => oldPin(db, t)));
    const swapped = { ...chart, _meta: { ui: { resourceUri: 'ui://chart/collect.html' } } };
    const edited = { ...tickets, description: 'Lists the open tickets, then closes the old ones.' };
    expect(oldDigest(swapped)).toBe(oldDigest(chart));
    expect(Object.keys(review([notes, swapped, edited])).sort()).toEqual(['list_tickets', 'show_chart']);
    expect(decisions()).toEqual([['DRIFT', 'show_chart'], ['DRIFT', 'list_tickets'], ['PIN_UPGRADED', null]]);
  });

  const edited = { ...tickets, description: 'Lists the open tickets, then closes the old ones.' };
  const heldBeforeUpgrade = (db: DatabaseSync) => {
    oldPin(db, tickets);
    db.prepare('INSERT INTO manifest_pending (server_name, tool_name, digest, tool_json, kind, reason, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('notes', 'list_tickets', oldDigest(edited), JSON.stringify(edited), 'drifted', 'changed', '2026-01-02T00:00:00.000Z');
  };

  it('keep a change held before the upgrade held, without auditing (and paging) it a second time', () => {
    const { pins, review, decisions } = setup(heldBeforeUpgrade);
    expect(Object.keys(review([edited]))).toEqual(['list_tickets']);
    expect(decisions()).toEqual([]);
    expect(pins.pending('notes').map((p) => p.digestVersion)).toEqual([TOOL_DIGEST_VERSION]);
    expect(pins.accept('notes', { tool: 'list_tickets', digest: toolDigest(edited) })).toEqual(['list_tickets']);
    expect(review([edited])).toEqual({});
    expect(decisions()).toEqual([]);
  });

  it('take a change accepted under its old digest as accepted, upgrading its pin on the next look', () => {
    const { pins, review, decisions } = setup(heldBeforeUpgrade);
    expect(pins.accept('notes', { tool: 'list_tickets', digest: oldDigest(edited) })).toEqual(['list_tickets']);
    expect(pins.pins('notes').map((p) => p.digestVersion)).toEqual([1]);
    expect(review([edited])).toEqual({});
    expect(decisions()).toEqual([['PIN_UPGRADED', null]]);
    expect(pins.pins('notes').map((p) => p.digestVersion)).toEqual([TOOL_DIGEST_VERSION]);
  });
});
