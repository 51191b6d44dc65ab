import type { DatabaseSync } from 'node:sqlite';
import type { AuditLog } from '../audit/audit-log.js';
import { createQuarantineStore, QuarantineUnreadableError, type QuarantineItem, type QuarantineStatus } from './quarantine-store.js';

export interface ReleasedResult {
  id: string;
  server: string;
  /** The client whose call it answered: only that client's sessions of the server get it (null: held before clients were kept, any). */
  client: string | null;
  tool: string;
  argsDigest: string;
  payload: string;
}

export interface QuarantineService {
  hold(item: Omit<QuarantineItem, 'id' | 'heldAt' | 'status'>, payload: string, actorId: string): Promise<string>;
  list(status?: QuarantineStatus): QuarantineItem[];
  show(id: string): Promise<{ item: QuarantineItem; payload: string | null } | null>;
  release(id: string, actor: string): Promise<boolean>;
  drop(id: string, actor: string): boolean;
  delivered(id: string): void;
  /** Released results not yet delivered, for a shim that (re)connects; one that does not decrypt is left out and audited. */
  releasedFor(server: string): Promise<ReleasedResult[]>;
  onReleased(listener: (released: ReleasedResult) => void): () => void;
}

// What the server sends decides what is held, up to a whole 64 MiB line per call: with no
// bound a server could fill the user's disk, after which the audit fails (closed) and every
// call is refused. Past a bound a result is still withheld, but not kept, and the client's
// error and the audit row say why. Held results nobody decided on are deleted after a while.
export interface QuarantineLimits {
  serverItems: number;
  serverBytes: number;
  totalItems: number;
  totalBytes: number;
  keepDays: number;
}

export const QUARANTINE_LIMITS: QuarantineLimits = {
  serverItems: 100,
  serverBytes: 256 * 1024 * 1024,
  totalItems: 1000,
  totalBytes: 1024 * 1024 * 1024,
  keepDays: 30,
};

/** A bound reached: `why` names it (the row says so without the prefix the client reads). */
class QuarantineFullError extends Error {
  constructor(readonly why: string) {
    super(`the quarantine is full: ${why}`);
  }
}

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The keys are loaded on first use: reaching the keychain can be slow, and most sessions
 * never quarantine. The first encrypts; every one of them decrypts (quarantine-key.ts).
 */
export function createQuarantineService(db: DatabaseSync, audit: AuditLog, loadKeys: () => Promise<Buffer[]>, limits: QuarantineLimits = QUARANTINE_LIMITS): QuarantineService {
  let keys: Buffer[] | null = null;
  const ready = async () => (keys ??= await loadKeys());
  const store = createQuarantineStore(db, () => {
    if (!keys) throw new Error('quarantine key not loaded');
    return keys;
  });
  const listeners = new Set<(released: ReleasedResult) => void>();
  // Every reconnect of the server's shims asks again: one ERROR row per item and engine run.
  const reportedUnreadable = new Set<string>();
  const row = (decision: string, item: QuarantineItem, actor: string, reason: string) =>
    audit.append({ event: 'result', decision, actorId: actor, serverName: item.server, toolName: item.tool, argsDigest: item.argsDigest, sessionId: item.sessionId, client: item.client, ruleId: 'output-quarantine', reason });

  const expire = () => {
    const cutoff = new Date(Date.now() - limits.keepDays * DAY_MS).toISOString();
    for (const old of store.keptHeldBefore(cutoff)) {
      if (store.setStatus(old.id, 'dropped', ['held', 'released'])) {
        row('DROPPED', old, 'expiry', `${old.id} ${old.status} for more than ${limits.keepDays} days without being delivered; the payload is deleted`);
      }
    }
  };
  /** Why `payload` of `server` may not be kept, or null when it may. */
  const overLimit = (server: string, payload: string): string | null => {
    const size = Buffer.byteLength(payload, 'utf8');
    const mine = store.kept(server);
    const all = store.kept();
    const review = 'release or drop held results (`mcp-firewall quarantine list`) to make room';
    if (mine.items >= limits.serverItems) return `'${server}' already has ${mine.items} quarantined results kept, the most kept per server; ${review}`;
    if (mine.bytes + size > limits.serverBytes) return `'${server}' would keep more than ${limits.serverBytes / MIB} MiB of quarantined results, the most kept per server; ${review}`;
    if (all.items >= limits.totalItems) return `${all.items} quarantined results are kept, the most kept in all; ${review}`;
    if (all.bytes + size > limits.totalBytes) return `quarantined results would take more than ${limits.totalBytes / MIB} MiB, the most kept in all; ${review}`;
    return null;
  };
  expire();

  return {
    async hold(item, payload, actorId) {
      const notKept = (why: string) => row('QUARANTINE', { ...item, id: '', heldAt: '', status: 'held' }, actorId, `withheld and not kept: ${why}`);
      let id: string;
      try {
        await ready();
        // Checked after the key load, right before the write: holds waiting on the keychain together must not all pass.
        expire();
        const full = overLimit(item.server, payload);
        if (full) throw new QuarantineFullError(full);
        id = store.hold(item, payload);
      } catch (error) {
        // The result is withheld all the same: without its row the QUARANTINE ratio gate
        // would not see it (a bound reached, a malformed key, a keychain that refuses, a store that fails).
        notKept(error instanceof QuarantineFullError ? error.why : (error as Error).message);
        throw error;
      }
      const kinds = [...new Set(item.findings.map((f) => f.type))].join(', ');
      row('QUARANTINE', { ...item, id, heldAt: '', status: 'held' }, actorId, `held as ${id}: ${kinds}`);
      return id;
    },
    list: (status) => store.list(status),
    async show(id) {
      const item = store.get(id);
      if (!item) return null;
      await ready();
      return { item, payload: store.payload(id) };
    },
    async release(id, actor) {
      const item = store.get(id);
      if (!item || item.status !== 'held') return false;
      await ready();
      const payload = store.payload(id);
      // Only from held, checked again after the key load: two releases racing it (or a drop)
      // must not both announce the result, nor release a dropped one.
      if (payload === null || !store.setStatus(id, 'released', ['held'])) return false;
      row('RELEASED', item, actor, `${id} released; delivered on the retry of the same call`);
      listeners.forEach((listener) => listener({ id, server: item.server, client: item.client, tool: item.tool, argsDigest: item.argsDigest, payload }));
      return true;
    },
    drop(id, actor) {
      const item = store.get(id);
      // Only a held result: a released one went to the server's running shims with the
      // release, and dropping it here would not stop them delivering it on the retry.
      if (!item || !store.setStatus(id, 'dropped', ['held'])) return false;
      row('DROPPED', item, actor, `${id} dropped; the payload is deleted`);
      return true;
    },
    delivered(id) {
      // Only a released result: a shim's word must not wipe the payload of one still held.
      store.setStatus(id, 'delivered', ['released']);
    },
    async releasedFor(server) {
      const items = store.list('released').filter((item) => item.server === server);
      if (items.length === 0) return [];
      await ready();
      const readable: ReleasedResult[] = [];
      for (const item of items) {
        let payload: string | null;
        try {
          payload = store.payload(item.id);
        } catch (error) {
          // One damaged item must not keep the server's other released results from their retries.
          if (!(error instanceof QuarantineUnreadableError)) throw error;
          if (!reportedUnreadable.has(item.id)) {
            reportedUnreadable.add(item.id);
            // No args_digest: this row answers no request, and the quarantine-ratio gate counts ERROR rows that do.
            audit.append({ event: 'result', decision: 'ERROR', serverName: item.server, toolName: item.tool, sessionId: item.sessionId, client: item.client, ruleId: 'output-quarantine', reason: `${item.id} not delivered: ${error.message}` });
          }
          continue;
        }
        if (payload !== null) readable.push({ id: item.id, server, client: item.client, tool: item.tool, argsDigest: item.argsDigest, payload });
      }
      return readable;
    },
    onReleased(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
