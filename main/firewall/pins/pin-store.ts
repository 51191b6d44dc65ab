import type { DatabaseSync } from 'node:sqlite';
import { nowIso } from '../store/database.js';

// Pins: the tool definitions a person approved (trust on first use, or `pins accept`).
// Pending: what a server showed since that differs (drifted, new, or blocked by a
// poisoning cue), kept whole so `pins diff` can show exactly what changed.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS manifest_pins (
  server_name TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  digest TEXT NOT NULL,
  tool_json TEXT NOT NULL,
  pinned_at TEXT NOT NULL,
  PRIMARY KEY (server_name, tool_name)
);
CREATE TABLE IF NOT EXISTS manifest_pending (
  server_name TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  digest TEXT NOT NULL,
  tool_json TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  PRIMARY KEY (server_name, tool_name)
);
`;

export type PendingKind = 'drifted' | 'new' | 'poisoned';

export interface PinnedTool {
  server: string;
  tool: string;
  digest: string;
  definition: unknown;
  pinnedAt: string;
}

export interface PendingTool {
  server: string;
  tool: string;
  digest: string;
  definition: unknown;
  kind: PendingKind;
  reason: string;
  firstSeen: string;
}

export interface PinStore {
  pins(server?: string): PinnedTool[];
  pending(server?: string): PendingTool[];
  pin(server: string, tool: string, digest: string, definition: unknown): void;
  /** Returns true when this exact pending version is new (so it is audited once, not per tools/list). */
  setPending(entry: Omit<PendingTool, 'firstSeen'>): boolean;
  clearPending(server: string, tool: string): void;
  /** Moves pending versions to pins; returns the tool names accepted. */
  accept(server: string, tool?: string): string[];
}

interface PinRow { server_name: string; tool_name: string; digest: string; tool_json: string; pinned_at: string }
interface PendingRow { server_name: string; tool_name: string; digest: string; tool_json: string; kind: PendingKind; reason: string; first_seen: string }

export function createPinStore(db: DatabaseSync): PinStore {
  db.exec(SCHEMA);
  const toPin = (r: PinRow): PinnedTool => ({ server: r.server_name, tool: r.tool_name, digest: r.digest, definition: JSON.parse(r.tool_json), pinnedAt: r.pinned_at });
  const toPending = (r: PendingRow): PendingTool => ({
    server: r.server_name, tool: r.tool_name, digest: r.digest, definition: JSON.parse(r.tool_json), kind: r.kind, reason: r.reason, firstSeen: r.first_seen,
  });
  const upsertPin = db.prepare(
    `INSERT INTO manifest_pins (server_name, tool_name, digest, tool_json, pinned_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(server_name, tool_name) DO UPDATE SET digest = excluded.digest, tool_json = excluded.tool_json, pinned_at = excluded.pinned_at`,
  );
  const store: PinStore = {
    pins: (server) =>
      (server
        ? db.prepare('SELECT * FROM manifest_pins WHERE server_name = ? ORDER BY tool_name').all(server)
        : db.prepare('SELECT * FROM manifest_pins ORDER BY server_name, tool_name').all()
      ).map((r) => toPin(r as unknown as PinRow)),
    pending: (server) =>
      (server
        ? db.prepare('SELECT * FROM manifest_pending WHERE server_name = ? ORDER BY tool_name').all(server)
        : db.prepare('SELECT * FROM manifest_pending ORDER BY server_name, tool_name').all()
      ).map((r) => toPending(r as unknown as PendingRow)),
    pin(server, tool, digest, definition) {
      upsertPin.run(server, tool, digest, JSON.stringify(definition), nowIso());
    },
    setPending(entry) {
      const existing = db.prepare('SELECT digest FROM manifest_pending WHERE server_name = ? AND tool_name = ?').get(entry.server, entry.tool) as { digest: string } | undefined;
      if (existing?.digest === entry.digest) return false;
      db.prepare(
        `INSERT OR REPLACE INTO manifest_pending (server_name, tool_name, digest, tool_json, kind, reason, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(entry.server, entry.tool, entry.digest, JSON.stringify(entry.definition), entry.kind, entry.reason, nowIso());
      return true;
    },
    clearPending(server, tool) {
      db.prepare('DELETE FROM manifest_pending WHERE server_name = ? AND tool_name = ?').run(server, tool);
    },
    accept(server, tool) {
      const accepted: string[] = [];
      for (const entry of store.pending(server)) {
        if (tool !== undefined && entry.tool !== tool) continue;
        store.pin(server, entry.tool, entry.digest, entry.definition);
        store.clearPending(server, entry.tool);
        accepted.push(entry.tool);
      }
      return accepted;
    },
  };
  return store;
}
