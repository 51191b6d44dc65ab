import type { AuditLog } from '../audit/audit-log.js';
import { formatFingerprint, type LaunchFingerprint, type Registry, type RegistryEntry } from './registry.js';

// Registry changes a person makes, each with its audit row: shared by the engine and
// by the CLI when it edits the store while no engine runs.

export function approveServer(registry: Registry, audit: AuditLog, name: string, actor: string, pin?: LaunchFingerprint): RegistryEntry {
  const entry = registry.approve(name, pin);
  const pinned = entry.fingerprint ? `launch line ${formatFingerprint(entry.fingerprint)}` : 'launch line pinned on first run';
  audit.append({ event: 'registry', decision: 'APPROVED', actorId: actor, serverName: name, reason: `server approved; ${pinned}` });
  return entry;
}

export function setServerEnabled(registry: Registry, audit: AuditLog, name: string, enabled: boolean, actor: string): RegistryEntry | null {
  const entry = registry.setEnabled(name, enabled);
  if (entry) audit.append({ event: 'registry', decision: enabled ? 'ENABLED' : 'DISABLED', actorId: actor, serverName: name, reason: `server ${enabled ? 'enabled' : 'disabled'}` });
  return entry;
}
