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

export function listPinsDigestedAsRead(db: DatabaseSync): void {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(TABLE)) return;
  const forget = `DELETE FROM ${TABLE} WHERE server_name = OLD.server_name AND tool_name = OLD.tool_name;`;
  db.exec(`SAVEPOINT list_pins_as_read;
CREATE TABLE ${TABLE} (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));
INSERT INTO ${TABLE} (server_name, tool_name) SELECT server_name, tool_name FROM manifest_pins;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_insert AFTER INSERT ON manifest_pins BEGIN DELETE FROM ${TABLE} WHERE server_name = NEW.server_name AND tool_name = NEW.tool_name; END;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_update AFTER UPDATE OF digest, digest_version ON manifest_pins BEGIN ${forget} END;
CREATE TRIGGER IF NOT EXISTS ${TABLE}_on_delete AFTER DELETE ON manifest_pins BEGIN ${forget} END;
RELEASE list_pins_as_read;`);
}

/** SQL for a pin row (aliased `p`): 1 when its digest was made of the item as read, before 6e652d2. */
export const DIGESTED_AS_READ_SQL = `EXISTS (SELECT 1 FROM ${TABLE} r WHERE r.server_name = p.server_name AND r.tool_name = p.tool_name) AS digested_as_read`;
