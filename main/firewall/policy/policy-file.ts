import { statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import { compilePolicy, type CompiledPolicy } from './evaluate.js';
import { loadPolicyFile, PolicyLoadError, type PolicyError } from './load.js';

export interface PolicyFile {
  readonly file: string;
  current(): CompiledPolicy;
  /** Errors of the newest edit that was rejected; empty when the file in force is the file on disk. */
  lastErrors(): PolicyError[];
  loadedAt(): string;
  /** Re-reads the file now; returns false (and keeps the old policy) when it is bad. */
  reload(): boolean;
  close(): void;
}

export interface PolicyFileEvents {
  onReload(policy: CompiledPolicy): void;
  onRejected(errors: PolicyError[]): void;
  /** The text of each policy put in force, the first included (kept for a restart without the file). */
  onInForce?(source: string): void;
}

/**
 * Loads the policy and follows edits. A broken file at start-up is fatal (there is no
 * good policy to fall back on, and running without one would fail open); a broken edit
 * later is reported and the last good policy stays in force.
 */
export function openPolicyFile(file: string, events: PolicyFileEvents, pollMs = 2_000): PolicyFile {
  const initial = loadPolicyFile(file);
  if (!initial.ok) throw new PolicyLoadError(initial.errors);
  let policy = compilePolicy(initial.spec);
  events.onInForce?.(initial.source ?? '');
  let errors: PolicyError[] = [];
  let loadedAt = new Date().toISOString();
  let debounce: NodeJS.Timeout | undefined;

  // Besides the directory watch (below), the path is polled for what it resolves to: a
  // policy.yaml that is a symlink (a dotfiles repo, a Kubernetes ConfigMap swapping its
  // `..data` link) changes where no directory event of ours is raised, and the old policy
  // would stay in force for good.
  const signature = (stats: Stats) => `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  const statNow = () => {
    try {
      return signature(statSync(file));
    } catch {
      return '';
    }
  };
  let seen = statNow();
  const reload = (): boolean => {
    seen = statNow(); // what this reload reads: the poll need not read it again
    const result = loadPolicyFile(file);
    if (!result.ok) {
      errors = result.errors;
      events.onRejected(errors);
      return false;
    }
    policy = compilePolicy(result.spec);
    errors = [];
    loadedAt = new Date().toISOString();
    events.onInForce?.(result.source ?? '');
    events.onReload(policy);
    return true;
  };

  const scheduleReload = () => {
    clearTimeout(debounce);
    debounce = setTimeout(reload, 50);
  };
  // Watching the directory, not the file: editors save by writing a temp file and
  // renaming it over the original, which a file watch loses track of.
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(file)) return;
      scheduleReload();
    });
  } catch {
    watcher = null;
  }
  // One stat per poll, compared with what the last reload read (not fs.watchFile: its first
  // look is asynchronous, and a change made before it would never be seen).
  const poller = setInterval(() => {
    const now = statNow();
    if (now === seen) return;
    seen = now;
    scheduleReload();
  }, pollMs);
  poller.unref();

  return {
    file,
    current: () => policy,
    lastErrors: () => errors,
    loadedAt: () => loadedAt,
    reload,
    close() {
      clearTimeout(debounce);
      watcher?.close();
      clearInterval(poller);
    },
  };
}
