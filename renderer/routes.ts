export const PAGES = [
  { id: 'activity', label: 'Activity' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'servers', label: 'Servers' },
  { id: 'manifests', label: 'Manifests' },
  { id: 'quarantine', label: 'Quarantine' },
  { id: 'gates', label: 'Gates' },
  { id: 'policy', label: 'Policy' },
  { id: 'audit', label: 'Audit' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'activity';
}

/** `#/approvals/ID`: the approval whose arguments the native dialog's "Show all arguments…" opened. */
export function approvalFromHash(hash: string): string | null {
  const match = /^#\/?approvals\/([^/]+)$/.exec(hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
