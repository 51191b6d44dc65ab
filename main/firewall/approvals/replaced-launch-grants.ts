import type { AuditLog } from '../audit/audit-log.js';
import { approveServer } from '../registry/registry-actions.js';
import { coversLaunch, launchLinesOf, sameLaunch, type ApprovedEntry, type ApproveOptions, type LaunchFingerprint, type Registry } from '../registry/registry.js';

/** A registry approval, and how many remembered approvals it made the firewall forget. */
export type ServerApproval = ApprovedEntry & { grantsForgotten: number };

export const GRANTS_FORGOTTEN = 'GRANTS_FORGOTTEN';

/** "N remembered approval(s) forgotten": the CLI's and the audit row's words. */
export function grantsForgottenText(count: number): string {
  return `${count} remembered approval${count === 1 ? '' : 's'} forgotten`;
}

/**
 * `registry approve` (approveServer), and when it dropped a launch line the name had
 * approved (`--replace`, a remote server's new URL), the server's "session" and "always"
 * answers are forgotten: they were given for calls to the binary (or endpoint) approved
 * before, and a different one under the same name must not inherit them — its calls with
 * the same arguments would otherwise run unasked, the replacement's first act unseen.
 * Its calls still waiting for approval are denied first (cancelWaiting): they are the old
 * binary's, and an "always" answered to one after would write the grant afresh, for the new
 * binary to use. And its sessions that run a dropped line are stopped (stopReplaced): the
 * old binary must not go on working under the name once a person replaced it. Only a drop
 * counts: a line approved beside the others leaves the old binary running too.
 */
export function approveServerForgettingGrants(
  deps: {
    registry: Registry;
    audit: AuditLog;
    forgetGrants: (server: string) => number;
    cancelWaiting: (server: string) => number;
    stopReplaced?: (server: string, stillApproved: (launch: LaunchFingerprint) => boolean) => void;
  },
  name: string,
  actor: string,
  options: ApproveOptions = {},
  pin?: LaunchFingerprint,
): ServerApproval {
  const before = launchLinesOf(deps.registry.get(name));
  const entry = approveServer(deps.registry, deps.audit, name, actor, pin, options);
  const kept = launchLinesOf(entry);
  const dropped = before.filter((line) => !kept.some((k) => sameLaunch(k, line))).length;
  if (dropped > 0) {
    deps.stopReplaced?.(name, (launch) => kept.some((line) => coversLaunch(line, launch)));
    deps.cancelWaiting(name);
  }
  const grantsForgotten = dropped > 0 ? deps.forgetGrants(name) : 0;
  if (grantsForgotten > 0) {
    deps.audit.append({
      event: 'registry', decision: GRANTS_FORGOTTEN, actorId: actor, serverName: name,
      reason: `${grantsForgottenText(grantsForgotten)}: they were given for the launch line${dropped === 1 ? '' : 's'} this approval replaced`,
    });
  }
  return { ...entry, grantsForgotten };
}
