import type { DatabaseSync } from 'node:sqlite';

// Since 6e652d2 a number JSON.parse changes (a Go schema's 9223372036854775807, a %.17g
// writer's 0.10000000000000001) is digested as the server wrote it; the pins made before were
// digested as read, and reported drift on the first listing after the upgrade. Such a pin may
// take the exact digest of the same text once (manifest-gate.ts). Only pins from before:
// a pin made since of 9007199254740992 must not accept 9007199254740993, which reads alike.
// So the pins that exist when this table is first made are listed in it, once; any later
// write of a pin's digest (a new pin, an accepted change, an upgrade) or its removal takes
// it off, by trigger, whichever code path writes.
const TABLE = 'manifest_pins_read_digest';
// The changes held then were digested as read too: listed at the same moment, or the first
// look re-held each as a new change (a second DRIFT row), and one accepted before any look
// was pinned with its as-read digest as a pin made since, which drifted on the next listing.
// A new held version, or its removal, takes it off. A pin accepted from such a row is listed
// again (pin-store.ts accept).
const PENDING_TABLE = 'manifest_pending_read_digest';

const exists = (db: DatabaseSync, table: string): boolean =>
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;

export function listPinsDigestedAsRead(db: DatabaseSync): void {
  const pinsListed = exists(db, TABLE);
  if (pinsListed && exists(db, PENDING_TABLE)) return;
  const forget = (table: string) => `DELETE FROM ${table} WHERE server_name = OLD.server_name AND tool_name = OLD.tool_name;`;
  const forgetNew = (table: string) => `DELETE FROM ${table} WHERE server_name = NEW.server_name AND tool_name = NEW.tool_name;`;
  // A store the pins were listed in before the held changes were (f6c8a8e) has held rows of
  // either digest by now, so none of them is listed: they drift once more, which fails closed.
  const listPending = pinsListed ? '' : `INSERT INTO ${PENDING_TABLE} (server_name, tool_name) SELECT server_name, tool_name FROM manifest_pending;`;
  const pins = pinsListed ? '' : `CREATE TABLE ${TABLE} (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));
INSERT INTO ${TABLE} (server_name, tool_name) SELECT server_name, tool_name FROM manifest_pins;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_insert AFTER INSERT ON manifest_pins BEGIN ${forgetNew(TABLE)} END;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_update AFTER UPDATE OF digest, digest_version ON manifest_pins BEGIN ${forget(TABLE)} END;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_delete AFTER DELETE ON manifest_pins BEGIN ${forget(TABLE)} END;`;
  db.exec(`SAVEPOINT list_pins_as_read;
${pins}
CREATE TABLE ${PENDING_TABLE} (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));
${listPending}
CREATE TRIGGER IF NOT EXISTS ${PENDING_TABLE}_on_insert AFTER INSERT ON manifest_pending BEGIN ${forgetNew(PENDING_TABLE)} END;
CREATE TRIGGER IF NOT EXISTS ${PENDING_TABLE}_on_update AFTER UPDATE OF digest ON manifest_pending BEGIN ${forget(PENDING_TABLE)} END;
CREATE TRIGGER IF NOT EXISTS ${PENDING_TABLE}_on_delete AFTER DELETE ON manifest_pending BEGIN ${forget(PENDING_TABLE)} END;
RELEASE list_pins_as_read;`);
}

/** SQL for a pin row (aliased `p`): 1 when its digest was made of the item as read, before 6e652d2. */
export const DIGESTED_AS_READ_SQL = `EXISTS (SELECT 1 FROM ${TABLE} r WHERE r.server_name = p.server_name AND r.tool_name = p.tool_name) AS digested_as_read`;

/** The same for a held row (aliased `p`). */
export const PENDING_DIGESTED_AS_READ_SQL = `EXISTS (SELECT 1 FROM ${PENDING_TABLE} r WHERE r.server_name = p.server_name AND r.tool_name = p.tool_name) AS digested_as_read`;

/** Lists a pin as digested as read again: accepted from a held row that was (its digest is that row's). */
export function keepPinListedAsRead(db: DatabaseSync, server: string, tool: string): void {
  db.prepare(`INSERT OR IGNORE INTO ${TABLE} (server_name, tool_name) VALUES (?, ?)`).run(server, tool);
}
