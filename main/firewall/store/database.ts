import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { narrowToOwner } from '../private-file.js';

// One SQLite file holds the audit trail and the engine's state. WAL lets the CLI read
// (audit query, registry list) while the engine writes; synchronous=NORMAL keeps a
// committed row durable across an engine crash, which is what "written before the
// answer leaves" needs, without an fsync per row.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcp_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_time TEXT NOT NULL,
  event TEXT NOT NULL,
  actor_id TEXT,
  client TEXT,
  server_name TEXT,
  tool_name TEXT,
  method TEXT,
  action_class TEXT,
  decision TEXT NOT NULL,
  approval_id TEXT,
  rule_id TEXT,
  reason TEXT,
  session_id TEXT,
  request_id TEXT,
  args_digest TEXT,
  latency_ms REAL,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_audit_time ON mcp_audit(event_time);
-- Every call adds two rows, and each index costs each row: a (server_name, event_time)
-- index cost ~1 µs of the engine's ~5 µs per row. The dashboard's per-server list reads
-- newest first by id and stops at its limit, which a scan does without it; only the review
-- page's per-tool lookup needs one, and that is over manifest rows alone.
DROP INDEX IF EXISTS mcp_audit_server;
CREATE INDEX IF NOT EXISTS mcp_audit_manifest ON mcp_audit(server_name, tool_name, event_time) WHERE event = 'manifest';
CREATE TABLE IF NOT EXISTS registry (
  name TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL,
  fingerprint TEXT,
  approved_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- More launch lines approved under one name, beside registry.fingerprint: the same server
-- configured with other arguments in another client or project (a filesystem server with
-- another root, say). Local (stdio) servers only: a remote one has one URL.
CREATE TABLE IF NOT EXISTS registry_launches (
  name TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  approved_at TEXT NOT NULL,
  PRIMARY KEY (name, fingerprint)
);
CREATE TABLE IF NOT EXISTS shadow_attempts (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  client TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  attempts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  requested_at TEXT NOT NULL,
  session_id TEXT,
  client TEXT,
  server_name TEXT,
  tool_name TEXT,
  action_class TEXT,
  args_digest TEXT,
  rule_id TEXT,
  reason TEXT,
  status TEXT NOT NULL,
  scope TEXT,
  decided_at TEXT
);
CREATE TABLE IF NOT EXISTS approval_grants (
  server_name TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  args_digest TEXT NOT NULL,
  approval_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (server_name, tool_name, args_digest)
);
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

export function openDatabase(file: string): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // This user's alone, whatever the data dir's mode (an existing one keeps its own): the
  // audit holds every tool call. SQLite gives its -wal and -shm files the database's mode.
  closeSync(openSync(file, 'a', 0o600));
  narrowToOwner(file);
  const db = new DatabaseSync(file);
  // busy_timeout first: switching to WAL takes a lock too, and without the timeout set a second
  // process opening the store at the same moment (the CLI beside the engine, two CLI commands)
  // failed at once with "database is locked".
  // journal_size_limit: a WAL grown by a burst (or a reader holding a checkpoint back) is cut
  // back after the next checkpoint, instead of keeping its largest size on disk for good.
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 16777216;');
  db.exec(SCHEMA);
  return db;
}

/** A connection that cannot write: what `audit query` runs user SQL on. */
export function openReadOnly(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000;');
  return db;
}

/**
 * Runs `work` in one write transaction. IMMEDIATE takes the write lock before the first
 * read, so what is read (a chain head, a registry entry) cannot change before the writes
 * another process (the CLI beside the engine) would otherwise interleave.
 */
export function immediateTransactions(db: DatabaseSync): <T>(work: () => T) => T {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return (work) => {
    begin.run();
    try {
      const result = work();
      commit.run();
      return result;
    } catch (error) {
      // SQLite ends the transaction itself on some errors (SQLITE_FULL: a full disk), and the
      // ROLLBACK then fails with "no transaction is active": thrown, that replaced the error
      // that says what went wrong. (db.isTransaction would tell, from Node 22.16 only.)
      try {
        rollback.run();
      } catch {
        // already rolled back
      }
      throw error;
    }
  };
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function getSetting(db: DatabaseSync, key: string): string | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setSetting(db: DatabaseSync, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
