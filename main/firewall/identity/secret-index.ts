import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { nowIso } from '../store/database.js';
import type { SecretRef } from './secret-store.js';

// Names only, never values. The engine reads this at every spawn so it knows, without
// asking the keychain, whether a server has secrets at all: a server without any
// starts even when the keychain is unreachable, one with some is refused (fail closed).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS secret_index (
  server_name TEXT NOT NULL,
  purpose TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (server_name, purpose, name)
);
`;

export interface SecretIndexEntry extends Required<SecretRef> {
  createdAt: string;
  updatedAt: string;
}

export interface SecretIndex {
  add(ref: SecretRef): void;
  /** false when the name was not indexed. */
  remove(ref: SecretRef): boolean;
  /** The env names a server is launched with, sorted. */
  names(server: string): string[];
  list(server?: string): SecretIndexEntry[];
}

interface Row {
  server_name: string;
  purpose: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export function createSecretIndex(db: DatabaseSync): SecretIndex {
  db.exec(SCHEMA);
  const upsert = db.prepare(
    `INSERT INTO secret_index (server_name, purpose, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(server_name, purpose, name) DO UPDATE SET updated_at = excluded.updated_at`,
  );
  const del = db.prepare('DELETE FROM secret_index WHERE server_name = ? AND purpose = ? AND name = ?');
  // Hot-ish path (every server spawn): one prepared statement on the primary key prefix.
  const names: StatementSync = db.prepare("SELECT name FROM secret_index WHERE server_name = ? AND purpose = 'env' ORDER BY name");
  const all = db.prepare('SELECT * FROM secret_index ORDER BY server_name, purpose, name');
  const byServer = db.prepare('SELECT * FROM secret_index WHERE server_name = ? ORDER BY purpose, name');
  const toEntry = (r: Row): SecretIndexEntry => ({ server: r.server_name, purpose: r.purpose as 'env', name: r.name, createdAt: r.created_at, updatedAt: r.updated_at });
  return {
    add(ref) {
      const now = nowIso();
      upsert.run(ref.server, ref.purpose ?? 'env', ref.name, now, now);
    },
    remove: (ref) => Number(del.run(ref.server, ref.purpose ?? 'env', ref.name).changes) > 0,
    names: (server) => (names.all(server) as { name: string }[]).map((r) => r.name),
    list: (server) => ((server === undefined ? all.all() : byServer.all(server)) as unknown as Row[]).map(toEntry),
  };
}
