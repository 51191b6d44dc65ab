import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { shownUrl } from '../shown-url.js';
import { shownArgs } from './shown-launch.js';
import { immediateTransactions, nowIso } from '../store/database.js';
import { argWord } from '../shell-word.js';

/** What a server is launched with; a change is registry drift (a swapped binary or package). */
export interface LaunchFingerprint {
  command: string;
  args: string[];
  /**
   * Where a bare `command` was found on the PATH it was launched with (proxy/resolve-command.ts):
   * `node` first on another PATH is another program. Pinned with the line the first time a
   * launch brings it (older pins adopt it then); a line is still the same line without it,
   * so launches that cannot resolve (Windows) compare by command and arguments alone.
   */
  resolved?: string;
}

export interface RegistryEntry {
  name: string;
  enabled: boolean;
  fingerprint: LaunchFingerprint | null;
  /**
   * Other launch lines approved under this name, oldest first: the same server configured
   * with other arguments by another client or project. A local server's only; each is
   * admitted like `fingerprint`, and anything else is still drift.
   */
  moreLaunches: LaunchFingerprint[];
  approvedAt: string;
  updatedAt: string;
}

export interface ApproveOptions {
  /**
   * The line approved (the last refused one, else the pinned one) becomes the only one: an
   * upgrade leaves the old line behind, and a line approved by mistake must be taken back.
   */
  replace?: boolean;
  /**
   * The launch line the person saw waiting (its launchDigest), or null when they saw none: the
   * approval is refused (WaitingLaunchChanged) when another line waits now. Each refusal
   * replaces the line waiting, so without it an approval pins whatever another config launched
   * under the name after the refusal the person read.
   */
  launch?: string | null;
}

/** An approval refused because the launch line waiting is not the one the person saw. */
export class WaitingLaunchChanged extends Error {}

/** A registry entry after an approval, with the launch line that approval pinned (null: none, pinned on first run). */
export type ApprovedEntry = RegistryEntry & { approvedLine: LaunchFingerprint | null };

/** What `approveLaunch` did with a launch line routed through the firewall. */
export type LaunchApproval = 'approved' | 'pinned' | 'added' | 'proposed' | 'known' | 'conflict';

export type AdmissionResult =
  | { admitted: true; pinnedNow: boolean }
  /** `launch`: the digest of the refused line, now waiting for `registry approve NAME --launch DIGEST`. */
  | { admitted: false; kind: 'shadow' | 'disabled' | 'drift'; reason: string; launch?: string };

export interface Registry {
  list(): RegistryEntry[];
  get(name: string): RegistryEntry | null;
  /**
   * Approves a server; pins `pin` when given (a person named the launch, e.g. a remote
   * server's URL), else the fingerprint of its last refused attempt if there was one. A
   * local server's new launch line is approved beside the ones it has (another client's
   * may still use them); a URL, or a switch between local and remote, replaces them all.
   */
  approve(name: string, pin?: LaunchFingerprint, options?: ApproveOptions): ApprovedEntry;
  /**
   * `protect` routed this local launch line through the firewall, which approves it: a new
   * name is approved with it pinned, an unpinned one gets it pinned. A name pinned to other
   * arguments gets it beside them when a person ran `protect` (`beside`); unattended (auto-
   * protect) it is only proposed, since a changed launch line is what drift is there to
   * catch. Never enables a disabled server, never touches one pinned to a URL, and never
   * pins a line that reads as a URL ('conflict': the shim refuses that launch).
   */
  approveLaunch(name: string, launch: LaunchFingerprint, options: { beside: boolean }): LaunchApproval;
  /** What `approve(name)` without a pin would pin: the last refused attempt or proposal. */
  pending(name: string): LaunchFingerprint | null;
  /**
   * Leaves a launch for a person to approve, exactly as a refused attempt does (`protect`
   * proposes a remote server's original URL this way). Never admits anything by itself.
   */
  propose(name: string, fingerprint: LaunchFingerprint, client: string): void;
  setEnabled(name: string, enabled: boolean): RegistryEntry | null;
  /** Decides whether a launch may run, pinning the fingerprint on a first run. */
  admit(name: string, fingerprint: LaunchFingerprint, client: string): AdmissionResult;
  remove(name: string): boolean;
}

/** The same launch line: command and arguments; where the command resolved is checked apart (admit). */
export function sameFingerprint(a: LaunchFingerprint, b: LaunchFingerprint): boolean {
  return a.command === b.command && a.args.length === b.args.length && a.args.every((arg, i) => arg === b.args[i]);
}

/**
 * Whether approved `line` lets `launch` run: the same words, and the same place unless one of
 * them has none (a pin from before places were kept, a launch that could not be looked up).
 */
export function coversLaunch(line: LaunchFingerprint, launch: LaunchFingerprint): boolean {
  return sameFingerprint(line, launch) && (!launch.resolved || !line.resolved || line.resolved === launch.resolved);
}

/** The same launch line run from the same place: a line approved for another place is another line. */
export function sameLaunch(a: LaunchFingerprint, b: LaunchFingerprint): boolean {
  return sameFingerprint(a, b) && (a.resolved ?? null) === (b.resolved ?? null);
}

/**
 * A launch line's short name: the first 12 hex digits of a SHA-256 over its command, arguments
 * and where the command resolved. Refusals and `registry list` show it beside a waiting line,
 * and `registry approve NAME --launch DIGEST` (the dashboard's Approve) pins only that line.
 */
export function launchDigest(fp: LaunchFingerprint): string {
  return createHash('sha256').update(JSON.stringify([fp.command, fp.args, fp.resolved ?? null])).digest('hex').slice(0, 12);
}

/** " (runs /usr/bin/node)": the program a bare command was found as, for texts that show a launch line. */
export function resolvedText(fp: LaunchFingerprint): string {
  return fp.resolved ? ` (runs ${fp.resolved})` : '';
}

/**
 * A remote server's fingerprint: its URL, pinned like a launch line so that a changed URL
 * is drift and the HTTP interposer takes the same admission path as the stdio shim. The
 * command says the transport (`url` Streamable HTTP, `sse-url` the legacy HTTP+SSE of
 * 2024-11-05), so a server switched to the other transport is drift too.
 */
const REMOTE_COMMAND = 'url';
const SSE_REMOTE_COMMAND = 'sse-url';

export type RemoteTransport = 'http' | 'sse';

/** A remote server as pinned: where it is and which transport it speaks. */
export interface RemotePin {
  url: string;
  transport: RemoteTransport;
}

export function remoteFingerprint(url: string, transport: RemoteTransport = 'http'): LaunchFingerprint {
  return { command: transport === 'sse' ? SSE_REMOTE_COMMAND : REMOTE_COMMAND, args: [url] };
}

/** The names of this machine in a URL: plain http is allowed only to these. */
export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `value` cannot be a remote server's URL, or null when it can. Plain http is only
 * for this machine: the firewall's own credential for the server must not cross a
 * network in clear text. Credentials in the URL itself would end up in the registry, in
 * clear, so they are refused too (they belong in the keychain as AUTHORIZATION).
 */
export function remoteUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !value) return '"url" must be a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `'${shownUrl(value)}' is not a URL`;
  }
  const unsafe = credentialUnsafe(url);
  if (unsafe === 'cleartext') return `'${shownUrl(value)}': a remote server must use https (plain http only on localhost)`;
  if (unsafe === 'userinfo') return `'${shownUrl(value)}' carries credentials; store them with: mcp-firewall secrets set NAME AUTHORIZATION`;
  return null;
}

/**
 * What makes `url` unfit to be sent a credential (the remote server's, OAuth's): plain
 * http off this machine, or credentials in the URL itself. One rule for every such URL.
 */
export function credentialUnsafe(url: URL): 'cleartext' | 'userinfo' | null {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return 'cleartext';
  if (url.username || url.password) return 'userinfo';
  return null;
}

/** The pinned remote server, or null for a stdio (or not yet pinned) one. */
export function pinnedRemote(fp: LaunchFingerprint | null): RemotePin | null {
  if (!fp || fp.args.length !== 1) return null;
  if (fp.command === REMOTE_COMMAND) return { url: fp.args[0]!, transport: 'http' };
  if (fp.command === SSE_REMOTE_COMMAND) return { url: fp.args[0]!, transport: 'sse' };
  return null;
}


/** Every launch line a name has approved: the pinned one, then the ones beside it. */
export function launchLinesOf(entry: RegistryEntry | null): LaunchFingerprint[] {
  return entry ? [...(entry.fingerprint ? [entry.fingerprint] : []), ...entry.moreLaunches] : [];
}

/** " and N other(s)": how many more launch lines a name has approved, for one-line texts. */
export function othersText(count: number): string {
  return count === 0 ? '' : ` and ${count} other${count === 1 ? '' : 's'}`;
}

export function formatFingerprint(fp: LaunchFingerprint): string {
  return formatParts([fp.command, ...fp.args], /^[\w@%+=:,./-]+$/);
}

/** A launch line with the program its command was found as (a refusal over PATH alone shows why). */
export function launchText(fp: LaunchFingerprint): string {
  return `${formatFingerprint(fp)}${resolvedText(fp)}`;
}

/** Whether `text` is a launch digest as launchDigest writes it (any case). */
export const isLaunchDigest = (text: string): boolean => /^[0-9a-fA-F]{12}$/.test(text);

/** Parts joined by spaces; one that is not all `plain` is quoted, so where an argument ends is not in doubt. */
const formatParts = (parts: string[], plain: RegExp) => parts.map((part) => (plain.test(part) ? part : JSON.stringify(part))).join(' ');

/**
 * A launch line as reasons show it (drift, conflicts: the audit, refusals that reach the
 * client and so the model): a remote server's URL without its query values, fragment or
 * user (shown-url.ts), where some servers take their key; a local one with the same cut in
 * its URL arguments and the values of secret-named ones cut (shown-launch.ts). Display only:
 * pins are compared whole.
 */
export function shownFingerprint(fp: LaunchFingerprint): string {
  const pin = pinnedRemote(fp);
  // Unquoted: a parsed URL has no spaces, and its cut values (…) would otherwise be quoted.
  if (pin) return `${fp.command} ${shownUrl(pin.url)}`;
  return formatParts([fp.command, ...shownArgs(fp.args)], /^[\w@%+=:,./?&#\u2026-]+$/);
}

interface Row {
  name: string;
  enabled: number;
  fingerprint: string | null;
  approved_at: string;
  updated_at: string;
}

export function createRegistry(db: DatabaseSync): Registry {
  const getRow = db.prepare('SELECT * FROM registry WHERE name = ?');
  const launchesOf = db.prepare('SELECT fingerprint FROM registry_launches WHERE name = ? ORDER BY approved_at, rowid');
  const addLaunch = db.prepare('INSERT OR IGNORE INTO registry_launches (name, fingerprint, approved_at) VALUES (?, ?, ?)');
  const dropLaunches = db.prepare('DELETE FROM registry_launches WHERE name = ?');
  const toEntry = (row: Row): RegistryEntry => ({
    name: row.name,
    enabled: row.enabled === 1,
    fingerprint: row.fingerprint ? (JSON.parse(row.fingerprint) as LaunchFingerprint) : null,
    moreLaunches: (launchesOf.all(row.name) as Array<{ fingerprint: string }>).map((l) => JSON.parse(l.fingerprint) as LaunchFingerprint),
    approvedAt: row.approved_at,
    updatedAt: row.updated_at,
  });
  const get = (name: string) => {
    const row = getRow.get(name) as Row | undefined;
    return row ? toEntry(row) : null;
  };
  const pin = db.prepare('UPDATE registry SET fingerprint = ?, updated_at = ? WHERE name = ?');
  const forgetAttemptOf = (name: string, launch: LaunchFingerprint) => {
    const row = db.prepare('SELECT fingerprint FROM shadow_attempts WHERE name = ?').get(name) as { fingerprint: string } | undefined;
    if (row && sameFingerprint(JSON.parse(row.fingerprint) as LaunchFingerprint, launch)) db.prepare('DELETE FROM shadow_attempts WHERE name = ?').run(name);
  };
  const approvedLaunch = (entry: RegistryEntry, launch: LaunchFingerprint) => launchLinesOf(entry).some((l) => sameFingerprint(l, launch));
  const launchRows = db.prepare('SELECT rowid AS id, fingerprint FROM registry_launches WHERE name = ?');
  /** Pins `resolved` for the approved line `launch` is (the pinned one or one beside it), in place. */
  const setResolved = (entry: RegistryEntry, launch: LaunchFingerprint, resolved: string) => {
    const line = { command: launch.command, args: launch.args, resolved };
    // Only a line that has no place yet takes one: a place approved is never overwritten.
    if (entry.fingerprint && sameFingerprint(entry.fingerprint, launch) && !entry.fingerprint.resolved) {
      db.prepare('UPDATE registry SET fingerprint = ? WHERE name = ?').run(JSON.stringify(line), entry.name);
      return;
    }
    for (const row of launchRows.all(entry.name) as Array<{ id: number; fingerprint: string }>) {
      const fp = JSON.parse(row.fingerprint) as LaunchFingerprint;
      if (sameFingerprint(fp, launch) && !fp.resolved) {
        db.prepare('UPDATE registry_launches SET fingerprint = ? WHERE rowid = ?').run(JSON.stringify(line), row.id);
      }
    }
  };
  /** A second local launch line under a local server's name goes beside the first, not over it. */
  const besidePinned = (entry: RegistryEntry | null, launch: LaunchFingerprint | null): boolean =>
    entry?.fingerprint != null && launch !== null && !pinnedRemote(entry.fingerprint) && !pinnedRemote(launch);
  const upsertAttempt = db.prepare(
    `INSERT INTO shadow_attempts (name, fingerprint, client, first_seen, last_seen, attempts) VALUES (?, ?, ?, ?, ?, 1)
     ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint, client = excluded.client,
       last_seen = excluded.last_seen, attempts = shadow_attempts.attempts + 1`,
  );
  const recordAttempt = (name: string, fingerprint: LaunchFingerprint, client: string) => {
    const now = nowIso();
    upsertAttempt.run(name, JSON.stringify(fingerprint), client, now, now);
  };
  /**
   * Throws WaitingLaunchChanged unless `shown` (ApproveOptions.launch) is the line `waiting`, or
   * one already approved with none waiting; returns the approved line it names (which
   * `--replace` then keeps as the only one).
   */
  const checkShown = (name: string, entry: RegistryEntry | null, waiting: LaunchFingerprint | null, shown: string | null): LaunchFingerprint | null => {
    const digest = shown?.trim().toLowerCase() ?? null;
    if (waiting && digest === launchDigest(waiting)) return null;
    const named = digest === null ? undefined : launchLinesOf(entry).find((line) => launchDigest(line) === digest);
    if (!waiting && (digest === null || named)) return named ?? null;
    const now = waiting ? `"${shownFingerprint(waiting)}"${resolvedText(waiting)} (launch ${launchDigest(waiting)})` : null;
    if (digest === null) throw new WaitingLaunchChanged(`a launch line now waits for approval under '${name}': ${now}, which was not shown; nothing was approved`);
    throw new WaitingLaunchChanged(now
      ? `the launch line waiting for approval under '${name}' is ${now}, not launch ${digest}; nothing was approved`
      : `no launch line ${digest} waits for approval under '${name}'; nothing was approved`);
  };
  // A change reads the entry, then writes several rows; the CLI's protect writes this store
  // while the engine runs, so a URL pinned between the read and the writes must not leave a
  // local line approved beside it. IMMEDIATE: the write lock is taken before the read.
  const inTransaction = immediateTransactions(db);

  return {
    list: () => (db.prepare('SELECT * FROM registry ORDER BY name').all() as unknown as Row[]).map(toEntry),
    get,
    approve: (name, pin, options = {}) => inTransaction((): ApprovedEntry => {
      const attempt = db.prepare('SELECT fingerprint FROM shadow_attempts WHERE name = ?').get(name) as { fingerprint: string } | undefined;
      const now = nowIso();
      const before = get(name);
      const waiting = pin ?? (attempt ? (JSON.parse(attempt.fingerprint) as LaunchFingerprint) : null);
      const named = !pin && options.launch !== undefined ? checkShown(name, before, waiting, options.launch) : null;
      const wanted = waiting ?? named;
      const approved = (entry: RegistryEntry): ApprovedEntry => ({ ...entry, approvedLine: wanted ?? entry.fingerprint });
      if (before && wanted && !options.replace && besidePinned(before, wanted)) {
        if (!approvedLaunch(before, wanted)) addLaunch.run(name, JSON.stringify(wanted), now);
        // A line refused because its command resolved elsewhere: the new place is approved
        // beside the others (two clients' PATHs, a GUI app's and a shell's, each keep theirs;
        // --replace keeps only this one). A line approved before places were pinned takes it.
        else if (wanted.resolved) {
          const same = launchLinesOf(before).filter((l) => sameFingerprint(l, wanted));
          const bare = same.find((l) => !l.resolved);
          if (bare) setResolved(before, bare, wanted.resolved);
          else if (!same.some((l) => l.resolved === wanted.resolved)) addLaunch.run(name, JSON.stringify(wanted), now);
        }
        db.prepare('UPDATE registry SET enabled = 1, updated_at = ? WHERE name = ?').run(now, name);
        db.prepare('DELETE FROM shadow_attempts WHERE name = ?').run(name);
        return approved(get(name)!);
      }
      // --replace, a URL, or a switch between local and remote: nothing else stays approved under its name.
      if (options.replace || wanted) dropLaunches.run(name);
      db.prepare(
        `INSERT INTO registry (name, enabled, fingerprint, approved_at, updated_at) VALUES (?, 1, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET enabled = 1, fingerprint = COALESCE(excluded.fingerprint, registry.fingerprint), updated_at = excluded.updated_at`,
      ).run(name, wanted ? JSON.stringify(wanted) : null, now, now);
      db.prepare('DELETE FROM shadow_attempts WHERE name = ?').run(name);
      return approved(get(name)!);
    }),
    pending(name) {
      const row = db.prepare('SELECT fingerprint FROM shadow_attempts WHERE name = ?').get(name) as { fingerprint: string } | undefined;
      return row ? (JSON.parse(row.fingerprint) as LaunchFingerprint) : null;
    },
    approveLaunch: (name, launch, { beside }) => inTransaction((): LaunchApproval => {
      // A stdio line can spell `url https://…` as well as anyone: it must not become a new
      // name's remote pin, where the keychain's credential goes (as admit's first run).
      if (pinnedRemote(launch)) return 'conflict';
      const entry = get(name);
      const now = nowIso();
      let outcome: LaunchApproval;
      if (!entry) {
        db.prepare('INSERT INTO registry (name, enabled, fingerprint, approved_at, updated_at) VALUES (?, 1, ?, ?, ?)').run(name, JSON.stringify(launch), now, now);
        outcome = 'approved';
      } else if (entry.fingerprint === null) {
        pin.run(JSON.stringify(launch), now, name);
        outcome = 'pinned';
      } else if (approvedLaunch(entry, launch)) {
        outcome = 'known';
      } else if (!besidePinned(entry, launch)) {
        return 'conflict';
      } else if (!beside) {
        recordAttempt(name, launch, 'auto-protect');
        return 'proposed';
      } else {
        addLaunch.run(name, JSON.stringify(launch), now);
        db.prepare('UPDATE registry SET updated_at = ? WHERE name = ?').run(now, name);
        outcome = 'added';
      }
      forgetAttemptOf(name, launch);
      return outcome;
    }),
    propose: recordAttempt,
    setEnabled(name, enabled) {
      const info = db.prepare('UPDATE registry SET enabled = ?, updated_at = ? WHERE name = ?').run(enabled ? 1 : 0, nowIso(), name);
      return info.changes > 0 ? get(name) : null;
    },
    admit(name, fingerprint, client) {
      const entry = get(name);
      if (!entry) {
        recordAttempt(name, fingerprint, client);
        return { admitted: false, kind: 'shadow', reason: `server '${name}' is not in the approved registry (shadow server)`, launch: launchDigest(fingerprint) };
      }
      if (!entry.enabled) return { admitted: false, kind: 'disabled', reason: `server '${name}' is disabled in the registry` };
      if (!entry.fingerprint) {
        // A remote server's URL is where the firewall sends the keychain's credential: it is
        // pinned only by a person (`approve NAME --url URL`), never by whatever first
        // launch comes along (a stdio launch can spell `url http://…` as well as anyone).
        if (pinnedRemote(fingerprint)) {
          recordAttempt(name, fingerprint, client);
          return { admitted: false, kind: 'drift', reason: `server '${name}' is approved by name only; a remote URL is pinned with: mcp-firewall registry approve --url URL ${argWord(name)}` };
        }
        pin.run(JSON.stringify(fingerprint), nowIso(), name);
        return { admitted: true, pinnedNow: true };
      }
      // The approved lines of these words: one per place its command was approved to run from.
      const same = launchLinesOf(entry).filter((l) => sameFingerprint(l, fingerprint));
      const line = same.find((l) => coversLaunch(l, fingerprint)) ?? same[0];
      if (!line) {
        // Remembered so that `registry approve NAME` can accept the new launch line.
        recordAttempt(name, fingerprint, client);
        return {
          admitted: false,
          kind: 'drift',
          launch: launchDigest(fingerprint),
          reason: `server '${name}' launch line changed (registry drift): approved "${shownFingerprint(entry.fingerprint)}"${othersText(entry.moreLaunches.length)}, got "${shownFingerprint(fingerprint)}"`,
        };
      }
      if (!coversLaunch(line, fingerprint)) {
        // The same words, another program: a PATH that finds its own `node` first.
        recordAttempt(name, fingerprint, client);
        return {
          admitted: false,
          kind: 'drift',
          launch: launchDigest(fingerprint),
          reason: `server '${name}' launch line "${shownFingerprint(fingerprint)}" now runs ${fingerprint.resolved}, approved to run ${line.resolved} (registry drift: the PATH it was launched with finds another program)`,
        };
      }
      // A pin from before launches brought where their command resolved: adopted silently,
      // so an upgrade shows no drift; from now on another place is drift.
      if (fingerprint.resolved && !line.resolved) setResolved(entry, line, fingerprint.resolved);
      return { admitted: true, pinnedNow: false };
    },
    remove: (name) => inTransaction(() => {
      dropLaunches.run(name);
      return db.prepare('DELETE FROM registry WHERE name = ?').run(name).changes > 0;
    }),
  };
}
