import type { PageId } from '../routes.js';

// Inline SVG, not emoji or symbol glyphs: those depend on the fonts of the machine and
// show as empty boxes on many Linux desktops.
const PATHS: Record<PageId, string> = {
  activity: 'M3 12h4l3-8 4 16 3-8h4',
  approvals: 'M9 12l2 2 4-4M12 3l8 4v5c0 5-3.5 8-8 9-4.5-1-8-4-8-9V7z',
  servers: 'M4 5h16v5H4zM4 14h16v5H4zM8 7.5h.01M8 16.5h.01',
  manifests: 'M7 3h7l5 5v13H7zM14 3v5h5M10 13h6M10 17h6',
  quarantine: 'M12 3l9 4v5c0 5-4 8-9 9-5-1-9-4-9-9V7zM9 9l6 6M15 9l-6 6',
  gates: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  policy: 'M6 3h12v18H6zM9 8h6M9 12h6M9 16h3',
  audit: 'M11 4a7 7 0 100 14 7 7 0 000-14zM21 21l-5-5',
};

export function PageIcon({ page }: { page: PageId }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={PATHS[page]} />
    </svg>
  );
}
