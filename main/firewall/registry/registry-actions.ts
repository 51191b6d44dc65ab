import type { AuditLog } from '../audit/audit-log.js';
import { launchLinesOf, othersText, sameLaunch, shownFingerprint, type ApprovedEntry, type ApproveOptions, type LaunchApproval, type LaunchFingerprint, type Registry, type RegistryEntry } from './registry.js';
import { argWord } from '../shell-word.js';

// Registry changes a person makes, each with its audit row: shared by the engine and
// by the CLI when it edits the store while no engine runs.

export function approveServer(registry: Registry, audit: AuditLog, name: string, actor: string, pin?: LaunchFingerprint, options: ApproveOptions = {}): ApprovedEntry {
  const before = registry.get(name);
  const entry = registry.approve(name, pin, options);
  const dropped = options.replace ? launchLinesOf(before).filter((line) => !launchLinesOf(entry).some((kept) => sameLaunch(kept, line))).length : 0;
  const replaced = dropped > 0 ? `, in place of the ${dropped} other launch line${dropped === 1 ? '' : 's'} approved before` : '';
  const added = entry.moreLaunches.length > (before?.moreLaunches.length ?? 0);
  audit.append({ event: 'registry', decision: 'APPROVED', actorId: actor, serverName: name, reason: `server approved; ${approvedText(entry, added)}${replaced}` });
  return entry;
}

/** The launch lines an approval left approved, in words: "launch line X", "… beside N other(s)". */
export function approvedText(entry: RegistryEntry, addedOne: boolean): string {
  const newest = entry.moreLaunches.at(-1);
  // The others: the pinned one and every earlier addition.
  const others = entry.moreLaunches.length;
  if (addedOne && newest) return `launch line ${shownFingerprint(newest)} approved beside ${others} other${others === 1 ? '' : 's'}`;
  if (!entry.fingerprint) return 'launch line pinned on first run';
  return `launch line ${shownFingerprint(entry.fingerprint)}${othersText(entry.moreLaunches.length)}`;
}

/**
 * A local launch line `protect` routed through the firewall: routing it is approving it
 * (registry.approveLaunch), beside other approved lines only when a person ran it
 * (`attended`). Audited when it changed the registry.
 */
export function approveRoutedLaunch(registry: Registry, audit: AuditLog, name: string, launch: LaunchFingerprint, actor: string, attended: boolean): LaunchApproval {
  const outcome = registry.approveLaunch(name, launch, { beside: attended });
  if (outcome === 'known' || outcome === 'conflict') return outcome;
  const line = shownFingerprint(launch);
  const reason = {
    approved: `server approved as it was routed through the firewall; launch line ${line}`,
    pinned: `launch line pinned as it was routed through the firewall: ${line}`,
    added: `launch line approved beside the ones before, as it was routed through the firewall: ${line}`,
    proposed: `launch line other than the approved one routed unattended; it waits for \`mcp-firewall registry approve ${argWord(name)}\`: ${line}`,
  }[outcome];
  audit.append({ event: 'registry', decision: outcome === 'proposed' ? 'PROPOSED' : 'APPROVED', actorId: actor, serverName: name, reason });
  return outcome;
}

export function setServerEnabled(registry: Registry, audit: AuditLog, name: string, enabled: boolean, actor: string): RegistryEntry | null {
  const entry = registry.setEnabled(name, enabled);
  if (entry) audit.append({ event: 'registry', decision: enabled ? 'ENABLED' : 'DISABLED', actorId: actor, serverName: name, reason: `server ${enabled ? 'enabled' : 'disabled'}` });
  return entry;
}
