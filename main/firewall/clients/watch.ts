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
  /** Protects the client's entries; the watcher takes a fresh baseline when it is done. */
  protect(client: string): Promise<void> | void;
}

export interface ConfigWatch {
  /** Looks now (the timer calls this); returns the entries newly found unprotected. */
  check(): ScanRow[];
  stop(): void;
}

const rowKey = (row: ScanRow) => `${row.client}\u0000${row.file}\u0000${row.name}`;

/**
 * Watches every client config file we know of. Polling `stat` is deliberate: most of
 * these files and even their folders do not exist until a client is installed, which a
 * file-system watch cannot follow, and a few dozen stats every couple of seconds cost
 * nothing. The first look is the baseline; entries that are unprotected then are what
 * `scan` reports, not news.
 */
export function watchClientConfigs(deps: () => ClientsDeps, hooks: ConfigWatchHooks, intervalMs = 2_000): ConfigWatch {
  const signature = () => {
    const ctx = expandProjectDirs(deps());
    const parts: string[] = [];
    for (const adapter of CLIENT_ADAPTERS) {
      for (const spec of adapter.configFiles(ctx)) {
        try {
          const stat = statSync(spec.path);
          parts.push(`${spec.path}:${stat.size}:${stat.mtimeMs}`);
        } catch {
          parts.push(`${spec.path}:-`);
        }
      }
    }
    return parts.join('\n');
  };
  const unprotected = () => new Map(scanClients(deps()).servers.filter((row) => row.status !== 'protected' && row.transport === 'stdio').map((row) => [rowKey(row), row]));

  let lastSignature = signature();
  let known = unprotected();
  const check = (): ScanRow[] => {
    const now = signature();
    if (now === lastSignature) return [];
    lastSignature = now;
    const current = unprotected();
    const fresh = [...current].filter(([key]) => !known.has(key)).map(([, row]) => row);
    known = current;
    for (const row of fresh) hooks.onShadowEntry(row);
    if (fresh.length > 0 && hooks.autoProtect()) {
      const done = [...new Set(fresh.map((row) => row.client))].map((client) => hooks.protect(client));
      void Promise.allSettled(done).then(() => {
        lastSignature = signature();
        known = unprotected();
      });
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
