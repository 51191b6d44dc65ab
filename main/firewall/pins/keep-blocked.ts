import type { AuditLog } from '../audit/audit-log.js';
import type { PinStore } from './pin-store.js';
import { requireReviewedVersion, shortVersion } from './reviewed-version.js';

/**
 * Records that a person read the diff of a held version and kept it blocked (the dashboard's
 * Keep blocked, `pins keep-blocked`). Nothing changes for clients (the version stays hidden and
 * its calls denied); the row says the hold is a decision, not a backlog. False when `tool` is
 * not held; throws StaleReviewError when the version held now is not the one reviewed: a server
 * that swapped it just before the decision would otherwise have a version nobody saw recorded
 * as "kept blocked".
 */
export function keepHeldBlocked(deps: { pins: PinStore; audit: AuditLog }, server: string, tool: string, reviewed: string, actor: string): boolean {
  const held = deps.pins.pending(server).find((p) => p.tool === tool);
  if (!held) return false;
  requireReviewedVersion(server, tool, held.digest, reviewed);
  deps.audit.append({
    event: 'manifest', decision: 'KEPT_BLOCKED', actorId: actor, serverName: server, toolName: tool, ruleId: 'manifest-pin',
    reason: `reviewed and kept blocked (${held.kind}, version ${shortVersion(held.digest)}); the tool stays hidden and its calls denied`,
  });
  return true;
}
