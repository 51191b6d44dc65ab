import { watch, type FSWatcher } from 'node:fs';
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
export function openPolicyFile(file: string, events: PolicyFileEvents): PolicyFile {
  const initial = loadPolicyFile(file);
  if (!initial.ok) throw new PolicyLoadError(initial.errors);
  let policy = compilePolicy(initial.spec);
  events.onInForce?.(initial.source ?? '');
  let errors: PolicyError[] = [];
  let loadedAt = new Date().toISOString();
  let debounce: NodeJS.Timeout | undefined;

  const reload = (): boolean => {
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

  // Watching the directory, not the file: editors save by writing a temp file and
  // renaming it over the original, which a file watch loses track of.
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(file)) return;
      clearTimeout(debounce);
      debounce = setTimeout(reload, 50);
    });
  } catch {
    watcher = null;
  }

  return {
    file,
    current: () => policy,
    lastErrors: () => errors,
    loadedAt: () => loadedAt,
    reload,
    close() {
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}
