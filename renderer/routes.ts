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
  const id = hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'activity';
}
