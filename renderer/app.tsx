import { useEffect, useState } from 'react';
import { useResource } from './api/api.js';
import { inBrowser } from './api/browser-session.js';
import { ActivityPage } from './features/activity/activity-page.js';
import { ApprovalsPage } from './features/approvals/approvals-page.js';
import { AuditPage } from './features/audit/audit-page.js';
import { GatesPage } from './features/gates/gates-page.js';
import { ManifestsPage } from './features/manifests/manifests-page.js';
import { PolicyPage } from './features/policy/policy-page.js';
import { QuarantinePage } from './features/quarantine/quarantine-page.js';
import { ServersPage } from './features/servers/servers-page.js';
import { LoggedOut, LogOutButton } from './features/session/log-out.js';
import { PAGES, pageFromHash, type PageId } from './routes.js';
import { PageIcon } from './ui/icons.js';
import { ProtectionStatus } from './ui/protection-status.js';

const VIEWS: Record<PageId, () => React.JSX.Element> = {
  activity: ActivityPage,
  approvals: ApprovalsPage,
  servers: ServersPage,
  manifests: ManifestsPage,
  quarantine: QuarantinePage,
  gates: GatesPage,
  policy: PolicyPage,
  audit: AuditPage,
};

export function App() {
  const [loggedOut, setLoggedOut] = useState(false);
  // The dashboard unmounts, so its polling stops with the session.
  return loggedOut ? <LoggedOut /> : <Dashboard onLoggedOut={() => setLoggedOut(true)} />;
}

function Dashboard({ onLoggedOut }: { onLoggedOut: () => void }) {
  const [page, setPage] = useState<PageId>(() => pageFromHash(window.location.hash));
  const overview = useResource((api) => api.overview(), ['approvals', 'policy', 'activity', 'gates']);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${PAGES.find((p) => p.id === page)?.label} · MCP Firewall`;
  }, [page]);
  const pending = overview.data?.pendingApprovals ?? 0;
  const paging = overview.data?.pagingGates.length ?? 0;
  const View = VIEWS[page];
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <nav className="sidebar" aria-label="Dashboard pages">
        <div className="brand">
          <img src="./favicon.svg" alt="" width={28} height={28} />
          <span>MCP Firewall</span>
        </div>
        <ProtectionStatus overview={overview.data} unreachable={Boolean(overview.error)} reload={overview.reload} />
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>
                <PageIcon page={p.id} />
                <span>{p.label}</span>
                {p.id === 'approvals' && pending > 0 ? <span className="count" aria-label={`${pending} pending`}>{pending}</span> : null}
                {p.id === 'gates' && paging > 0 ? <span className="count" aria-label={`${paging} paging`}>{paging}</span> : null}
              </a>
            </li>
          ))}
        </ul>
        <p className="sidebar-foot">{overview.data ? <>Policy <span title={overview.data.policyFile}>{overview.data.policyFile.split(/[\\/]/).pop()}</span></> : null}</p>
        {inBrowser() ? <LogOutButton onLoggedOut={onLoggedOut} /> : null}
      </nav>
      <main id="main" tabIndex={-1}>
        <View />
      </main>
    </div>
  );
}
