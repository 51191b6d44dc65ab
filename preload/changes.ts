import type { ChangeTopic, Overview } from './contract.js';

/**
 * Which parts of the dashboard must refresh between two overviews. Shared by the
 * browser client (which polls) and the Electron main process (which pushes), so both
 * refresh on exactly the same changes.
 */
export function changedTopics(prev: Overview | null, next: Overview): ChangeTopic[] {
  if (!prev) return [];
  const topics: ChangeTopic[] = [];
  if (prev.approvalsVersion !== next.approvalsVersion) topics.push('approvals');
  if (prev.lastActivityId !== next.lastActivityId) topics.push('activity');
  if (prev.registryVersion !== next.registryVersion) topics.push('registry');
  if (prev.policyLoadedAt !== next.policyLoadedAt || prev.emergencyWriteApproval !== next.emergencyWriteApproval || prev.pausedUntil !== next.pausedUntil) topics.push('policy');
  if (prev.pagingGates.join(',') !== next.pagingGates.join(',')) topics.push('gates');
  return topics;
}

/** Every topic: what may be stale in a page that loaded before the first overview it compares against. */
export const ALL_CHANGE_TOPICS: readonly ChangeTopic[] = ['approvals', 'activity', 'registry', 'policy', 'gates'];
