import { statSync } from 'node:fs';
import { expandProjectDirs } from './discover.js';
import { CLIENT_ADAPTERS } from './registry.js';
import { scanClients, type ScanRow } from './scan.js';
import type { ClientsDeps } from './types.js';

export interface ConfigWatchHooks {
  /** An unprotected server entry appeared (an installer added it, or its client rewrote our entry). */
  onShadowEntry(row: ScanRow): void;
  /** Whether the user asked for such entries to be protected again automatically. */
  autoProtect(): boolean;
  /** Protects the client's entries; those it routes drop out of the watcher's next look by themselves. */
  protect(client: string): Promise<void> | void;
}

export interface ConfigWatch {
  /** Looks now (the timer calls this); returns the entries newly found unprotected. */
  check(): ScanRow[];
  stop(): void;
}

const rowKey = (row: ScanRow) => `${row.client}\u0000${row.file}\u0000${row.name}`;

/** Transports an entry can bypass the firewall with: the ones protect wraps or routes. */
const ROUTABLE = new Set(['stdio', 'http', 'sse']);

/**
 * Watches every client config file we know of, and the envFiles protected entries read.
 * Polling `stat` is deliberate: most of these files and even their folders do not exist
 * until a client is installed, which a file-system watch cannot follow, and a few dozen
 * stats every couple of seconds cost nothing. The first look is the baseline; entries that are unprotected then are what
 * `scan` reports, not news.
 */
export function watchClientConfigs(deps: () => ClientsDeps, hooks: ConfigWatchHooks, intervalMs = 2_000): ConfigWatch {
  // The envFiles protected entries read env from, as the last scan found them: an edit to
  // one can make its wrap line run code in the shim without its config changing.
  let envFiles: string[] = [];
  const signature = () => {
    const ctx = expandProjectDirs(deps());
    const paths = [...CLIENT_ADAPTERS.flatMap((adapter) => adapter.configFiles(ctx).map((spec) => spec.path)), ...envFiles];
    const parts: string[] = [];
    for (const path of paths) {
      try {
        const stat = statSync(path);
        // Size and mtime are the writer's to choose (utimes sets mtime back, as `touch -r`
        // does): an installer could swap a wrap line for its own entry of the same length
        // unseen. ctime is set by the kernel on every change, and a rename brings a new inode.
        parts.push(`${path}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`);
      } catch {
        parts.push(`${path}:-`);
      }
    }
    return parts.join('\n');
  };
  // Entries that bypass the firewall: local servers not wrapped, remote ones not routed.
  // A file that cannot be read right now (half-written) keeps the entries it had, so they
  // do not come back as "new" once it is whole again.
  const unprotected = (previous: Map<string, ScanRow>) => {
    const scan = scanClients(deps());
    // Newly listed files change the next signature: one more scan, which finds nothing new.
    envFiles = [...new Set(scan.servers.flatMap((row) => (row.envFile === undefined ? [] : [row.envFile])))];
    const unreadable = new Set(scan.errors.map((e) => e.file));
    const rows = scan.servers.filter((row) => row.status !== 'protected' && ROUTABLE.has(row.transport));
    const kept = [...previous].filter(([, row]) => unreadable.has(row.file));
    return new Map([...kept, ...rows.map((row) => [rowKey(row), row] as const)]);
  };

  let lastSignature = signature();
  let known = unprotected(new Map());
  const check = (): ScanRow[] => {
    const now = signature();
    if (now === lastSignature) return [];
    const current = unprotected(known);
    // Only once the scan went through: a scan that throws is tried again on the next look.
    lastSignature = now;
    const fresh = [...current].filter(([key]) => !known.has(key)).map(([, row]) => row);
    known = current;
    for (const row of fresh) hooks.onShadowEntry(row);
    // Entries protect routes drop out of the next scan by themselves; one it could not
    // route stays known (reported once), one that appears meanwhile is reported then.
    if (fresh.length > 0 && hooks.autoProtect()) {
      for (const client of new Set(fresh.map((row) => row.client))) void hooks.protect(client);
    }
    return fresh;
  };
  const timer = setInterval(() => {
    try {
      check();
    } catch {
      // a config mid-write; the next look sees it whole
    }
  }, intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
