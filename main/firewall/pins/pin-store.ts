import type { DatabaseSync } from 'node:sqlite';
import { TOOL_DIGEST_VERSION } from '../manifest/index.js';
import { nowIso } from '../store/database.js';
import type { ManifestKind } from './manifest-keys.js';
import { DIGESTED_AS_READ_SQL, keepPinListedAsRead, listPinsDigestedAsRead, PENDING_DIGESTED_AS_READ_SQL } from './as-read-pins.js';
import { heldSetDigest, namesVersion, requireReviewedVersion, StaleReviewError } from './reviewed-version.js';

// Pins: the tool definitions a person approved (trust on first use, or `pins accept`).
// Pending: what a server showed since that differs (drifted, new, or blocked by a
// poisoning cue), kept whole so `pins diff` can show exactly what changed. Each row says
// which tool digest version made its digest (manifest/digest.ts): a row from before a
// column existed reads as version 1.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS manifest_pins (
  server_name TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  digest TEXT NOT NULL,
  tool_json TEXT NOT NULL,
  pinned_at TEXT NOT NULL,
  digest_version INTEGER NOT NULL DEFAULT 1,
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
  digest_version INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (server_name, tool_name)
);
CREATE TABLE IF NOT EXISTS manifest_seen (
  server_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  PRIMARY KEY (server_name, kind)
);
`;

/** Tables made before digests were versioned get the column; their rows are version 1. */
function addDigestVersion(db: DatabaseSync, table: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'digest_version')) db.exec(`ALTER TABLE ${table} ADD COLUMN digest_version INTEGER NOT NULL DEFAULT 1`);
}

export type PendingKind = 'drifted' | 'new' | 'poisoned';

export interface PinnedTool {
  server: string;
  tool: string;
  digest: string;
  definition: unknown;
  pinnedAt: string;
  /** The tool digest version `digest` was made with (prompts, templates and instructions have one digest only). */
  digestVersion: number;
  /** Pinned before numbers the parse changed were digested as written: `digest` is of the item as read (as-read-pins.ts). */
  digestedAsRead?: boolean;
}

export interface PendingTool {
  server: string;
  tool: string;
  digest: string;
  definition: unknown;
  kind: PendingKind;
  reason: string;
  firstSeen: string;
  digestVersion: number;
  /** Held before numbers the parse changed were digested as written: `digest` is of the item as read (as-read-pins.ts). */
  digestedAsRead?: boolean;
}

export interface PinStore {
  pins(server?: string): PinnedTool[];
  pending(server?: string): PendingTool[];
  pin(server: string, tool: string, digest: string, definition: unknown, digestVersion?: number): void;
  /** Gives a pin the digest of a newer version, keeping the definition and time of its approval. */
  upgradePin(server: string, tool: string, digest: string, digestVersion: number): void;
  /** Returns true when this exact pending version is new (so it is audited once, not per tools/list). */
  setPending(entry: Omit<PendingTool, 'firstSeen' | 'digestVersion'> & { digestVersion?: number }): boolean;
  clearPending(server: string, tool: string): void;
  /** How many definitions a server has held, and their characters of JSON (held-bound.ts). */
  pendingUsage(server: string): { items: number; chars: number };
  /**
   * Moves the reviewed pending versions to pins, all or none; returns the tool names accepted
   * ([] when nothing is held). `tool` with its held digest; without one, every held tool of
   * the server, with heldSetDigest of them all. Throws StaleReviewError when what is held now
   * is not what that digest names (reviewed-version.ts).
   */
  accept(server: string, reviewed: ReviewedVersion): string[];
  /** Whether a listing of this kind from the server was reviewed before (its first sight is over). */
  seen(server: string, kind: ManifestKind): boolean;
  markSeen(server: string, kind: ManifestKind): void;
}

export interface ReviewedVersion {
  tool?: string;
  /** The digest the reviewer saw (whole, or a short form of it). */
  digest: string;
}

interface PinRow { server_name: string; tool_name: string; digest: string; tool_json: string; pinned_at: string; digest_version: number; digested_as_read: number }
interface PendingRow { server_name: string; tool_name: string; digest: string; tool_json: string; kind: PendingKind; reason: string; first_seen: string; digest_version: number; digested_as_read: number }

export function createPinStore(db: DatabaseSync): PinStore {
  db.exec(SCHEMA);
  addDigestVersion(db, 'manifest_pins');
  addDigestVersion(db, 'manifest_pending');
  listPinsDigestedAsRead(db);
  const toPin = (r: PinRow): PinnedTool => ({
    server: r.server_name, tool: r.tool_name, digest: r.digest, definition: JSON.parse(r.tool_json), pinnedAt: r.pinned_at, digestVersion: Number(r.digest_version), digestedAsRead: Number(r.digested_as_read) === 1,
  });
  const toPending = (r: PendingRow): PendingTool => ({
    server: r.server_name, tool: r.tool_name, digest: r.digest, definition: JSON.parse(r.tool_json), kind: r.kind, reason: r.reason, firstSeen: r.first_seen, digestVersion: Number(r.digest_version), digestedAsRead: Number(r.digested_as_read) === 1,
  });
  const upsertPin = db.prepare(
    `INSERT INTO manifest_pins (server_name, tool_name, digest, tool_json, pinned_at, digest_version) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(server_name, tool_name) DO UPDATE SET digest = excluded.digest, tool_json = excluded.tool_json, pinned_at = excluded.pinned_at, digest_version = excluded.digest_version`,
  );
  const store: PinStore = {
    pins: (server) =>
      (server
        ? db.prepare(`SELECT p.*, ${DIGESTED_AS_READ_SQL} FROM manifest_pins p WHERE p.server_name = ? ORDER BY p.tool_name`).all(server)
        : db.prepare(`SELECT p.*, ${DIGESTED_AS_READ_SQL} FROM manifest_pins p ORDER BY p.server_name, p.tool_name`).all()
      ).map((r) => toPin(r as unknown as PinRow)),
    pending: (server) =>
      (server
        ? db.prepare(`SELECT p.*, ${PENDING_DIGESTED_AS_READ_SQL} FROM manifest_pending p WHERE p.server_name = ? ORDER BY p.tool_name`).all(server)
        : db.prepare(`SELECT p.*, ${PENDING_DIGESTED_AS_READ_SQL} FROM manifest_pending p ORDER BY p.server_name, p.tool_name`).all()
      ).map((r) => toPending(r as unknown as PendingRow)),
    pin(server, tool, digest, definition, digestVersion = TOOL_DIGEST_VERSION) {
      upsertPin.run(server, tool, digest, JSON.stringify(definition), nowIso(), digestVersion);
    },
    upgradePin(server, tool, digest, digestVersion) {
      db.prepare('UPDATE manifest_pins SET digest = ?, digest_version = ? WHERE server_name = ? AND tool_name = ?').run(digest, digestVersion, server, tool);
    },
    setPending(entry) {
      const version = entry.digestVersion ?? TOOL_DIGEST_VERSION;
      const existing = db.prepare('SELECT digest, digest_version FROM manifest_pending WHERE server_name = ? AND tool_name = ?').get(entry.server, entry.tool) as
        | { digest: string; digest_version: number }
        | undefined;
      if (existing?.digest === entry.digest) {
        // The same digest under a newer version (a tool without the fields the old one left out): nothing new to audit.
        if (Number(existing.digest_version) !== version) db.prepare('UPDATE manifest_pending SET digest_version = ? WHERE server_name = ? AND tool_name = ?').run(version, entry.server, entry.tool);
        return false;
      }
      db.prepare(
        `INSERT OR REPLACE INTO manifest_pending (server_name, tool_name, digest, tool_json, kind, reason, first_seen, digest_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(entry.server, entry.tool, entry.digest, JSON.stringify(entry.definition), entry.kind, entry.reason, nowIso(), version);
      return true;
    },
    clearPending(server, tool) {
      db.prepare('DELETE FROM manifest_pending WHERE server_name = ? AND tool_name = ?').run(server, tool);
    },
    pendingUsage(server) {
      const r = db.prepare('SELECT COUNT(*) AS items, COALESCE(SUM(LENGTH(tool_json)), 0) AS chars FROM manifest_pending WHERE server_name = ?').get(server) as { items: number; chars: number };
      return { items: Number(r.items), chars: Number(r.chars) };
    },
    accept(server, { tool, digest }) {
      const held = store.pending(server).filter((entry) => tool === undefined || entry.tool === tool);
      if (held.length === 0) return [];
      if (tool !== undefined) requireReviewedVersion(server, tool, held[0]!.digest, digest);
      else if (!namesVersion(heldSetDigest(held), digest)) {
        throw new StaleReviewError(
          `the tools held for '${server}' changed since you looked (now ${held.length}: ${held.map((e) => e.tool).join(', ')}); nothing was accepted: review the new diff`,
        );
      }
      for (const entry of held) {
        // Its digest keeps the version that made it: an old one is upgraded on the next look (see reviewManifest).
        store.pin(server, entry.tool, entry.digest, entry.definition, entry.digestVersion);
        // Held as read before the upgrade, so pinned as read: the next look takes the exact digest.
        if (entry.digestedAsRead) keepPinListedAsRead(db, server, entry.tool);
        store.clearPending(server, entry.tool);
      }
      return held.map((entry) => entry.tool);
    },
    seen: (server, kind) => db.prepare('SELECT 1 FROM manifest_seen WHERE server_name = ? AND kind = ?').get(server, kind) !== undefined,
    markSeen(server, kind) {
      db.prepare('INSERT OR IGNORE INTO manifest_seen (server_name, kind, first_seen) VALUES (?, ?, ?)').run(server, kind, nowIso());
    },
  };
  return store;
}
