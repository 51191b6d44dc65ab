import type { LaunchFingerprint, Registry, RegistryEntry } from './registry.js';

/**
 * A registry entry as `registry list` shows it: with the launch line waiting under its name
 * for a person (refused as drift, proposed by auto-protect), which `registry approve NAME
 * --launch DIGEST` approves and no other.
 */
export type ListedEntry = RegistryEntry & { waiting: LaunchFingerprint | null };

export function listedEntries(registry: Pick<Registry, 'list' | 'pending'>): ListedEntry[] {
  return registry.list().map((entry) => ({ ...entry, waiting: registry.pending(entry.name) }));
}
