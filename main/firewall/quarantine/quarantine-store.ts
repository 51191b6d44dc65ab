import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { nowIso } from '../store/database.js';

// Withheld results, encrypted at rest (AES-256-GCM). The key comes from a KeyProvider —
// the OS keychain in the engine — so a copy of firewall.db alone does not reveal them.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS quarantine (
  id TEXT PRIMARY KEY,
  held_at TEXT NOT NULL,
  session_id TEXT,
  client TEXT,
  server_name TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  args_digest TEXT NOT NULL,
  findings TEXT NOT NULL,
  status TEXT NOT NULL,
  iv BLOB NOT NULL,
  tag BLOB NOT NULL,
  payload BLOB,
  decided_at TEXT
);
`;

export type QuarantineStatus = 'held' | 'released' | 'delivered' | 'dropped';

export interface QuarantineItem {
  id: string;
  heldAt: string;
  sessionId: string | null;
  client: string | null;
  server: string;
  tool: string;
  argsDigest: string;
  /** Types and places of what was found — never the values. */
  findings: Array<{ type: string; family: string; severity: string; path: string }>;
  status: QuarantineStatus;
}

/**
 * A stored result that does not decrypt: damaged in the database, or sealed under another
 * key (the keychain entry or quarantine.key replaced since it was held). Nothing is deleted,
 * so putting the original key back makes it readable again.
 */
export class QuarantineUnreadableError extends Error {
  constructor(readonly id: string, status: QuarantineStatus) {
    super(
      `the stored result ${id} cannot be decrypted: it is damaged, or it was encrypted under another quarantine key ` +
        `(the OS keychain entry mcp-firewall/QUARANTINE_KEY or quarantine.key in the data dir replaced since it was held). ` +
        `It stays ${status} and nothing was deleted: put the original key back to read it` +
        (status === 'held' ? `, or discard it with \`mcp-firewall quarantine drop ${id}\`` : ''),
    );
  }
}

export interface QuarantineStore {
  hold(item: Omit<QuarantineItem, 'id' | 'heldAt' | 'status'>, payload: string): string;
  list(status?: QuarantineStatus): QuarantineItem[];
  get(id: string): QuarantineItem | null;
  /** The decrypted result (for `quarantine show` and for delivery after release); throws QuarantineUnreadableError. */
  payload(id: string): string | null;
  /**
   * Moves `id` to `status` only from one of `from`; false when it was in none of them. The
   * check and the write are one statement, so two decisions racing cannot both win.
   */
  setStatus(id: string, status: QuarantineStatus, from: QuarantineStatus[]): boolean;
  /** What is kept with its payload (held, or released and not yet delivered): of one server, or of all. */
  kept(server?: string): { items: number; bytes: number };
  /** Items kept with their payload that were held (or, when released, released) before `cutoff` (ISO time). */
  keptHeldBefore(cutoff: string): QuarantineItem[];
}

interface Row {
  id: string; held_at: string; session_id: string | null; client: string | null; server_name: string; tool_name: string;
  args_digest: string; findings: string; status: QuarantineStatus; iv: Uint8Array; tag: Uint8Array; payload: Uint8Array | null;
}

/** `keys`: the first encrypts what is held; any of them may open what was held before. */
export function createQuarantineStore(db: DatabaseSync, keys: () => Buffer[]): QuarantineStore {
  db.exec(SCHEMA);
  const toItem = (r: Row): QuarantineItem => ({
    id: r.id, heldAt: r.held_at, sessionId: r.session_id, client: r.client, server: r.server_name, tool: r.tool_name,
    argsDigest: r.args_digest, findings: JSON.parse(r.findings) as QuarantineItem['findings'], status: r.status,
  });
  const row = (id: string) => db.prepare('SELECT * FROM quarantine WHERE id = ?').get(id) as Row | undefined;
  // Only a held or released result keeps its payload (setStatus clears it on the way out).
  const KEPT = "status IN ('held', 'released') AND payload IS NOT NULL";
  return {
    hold(item, payload) {
      // 128 random bits: 48 gave even odds of two ids colliding by about 16 million held results,
      // and a collision fails the INSERT (primary key), so that result could not be stored.
      const id = `qtn_${randomBytes(16).toString('base64url')}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys()[0]!, iv);
      // The id is bound as associated data: a ciphertext moved to another row fails to open.
      cipher.setAAD(Buffer.from(id));
      const encrypted = Buffer.concat([cipher.update(payload, 'utf8'), cipher.final()]);
      db.prepare(
        `INSERT INTO quarantine (id, held_at, session_id, client, server_name, tool_name, args_digest, findings, status, iv, tag, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'held', ?, ?, ?)`,
      ).run(id, nowIso(), item.sessionId, item.client, item.server, item.tool, item.argsDigest, JSON.stringify(item.findings), iv, cipher.getAuthTag(), encrypted);
      return id;
    },
    list(status) {
      const rows = status
        ? db.prepare('SELECT * FROM quarantine WHERE status = ? ORDER BY held_at DESC').all(status)
        : db.prepare('SELECT * FROM quarantine ORDER BY held_at DESC').all();
      return rows.map((r) => toItem(r as unknown as Row));
    },
    get(id) {
      const r = row(id);
      return r ? toItem(r) : null;
    },
    payload(id) {
      const r = row(id);
      if (!r || !r.payload) return null;
      for (const secret of keys()) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(r.iv));
          decipher.setAAD(Buffer.from(id));
          decipher.setAuthTag(Buffer.from(r.tag));
          return Buffer.concat([decipher.update(Buffer.from(r.payload)), decipher.final()]).toString('utf8');
        } catch {
          // Not this key (or damaged): OpenSSL says only "unable to authenticate data".
        }
      }
      throw new QuarantineUnreadableError(id, r.status);
    },
    setStatus(id, status, from) {
      // A dropped or delivered result is not kept: the payload goes with the decision.
      const clear = status === 'dropped' || status === 'delivered';
      const info = db
        .prepare(`UPDATE quarantine SET status = ?, decided_at = ?${clear ? ', payload = NULL' : ''} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`)
        .run(status, nowIso(), id, ...from);
      return info.changes > 0;
    },
    kept(server) {
      const sums = `SELECT COUNT(*) AS items, COALESCE(SUM(LENGTH(payload)), 0) AS bytes FROM quarantine WHERE ${KEPT}`;
      const r = (server ? db.prepare(`${sums} AND server_name = ?`).get(server) : db.prepare(sums).get()) as { items: number; bytes: number };
      return { items: Number(r.items), bytes: Number(r.bytes) };
    },
    keptHeldBefore(cutoff) {
      // A released result waits for its retry from the moment a person released it.
      const since = "CASE WHEN status = 'released' THEN COALESCE(decided_at, held_at) ELSE held_at END";
      return db.prepare(`SELECT * FROM quarantine WHERE ${KEPT} AND ${since} < ? ORDER BY held_at`).all(cutoff).map((r) => toItem(r as unknown as Row));
    },
  };
}
