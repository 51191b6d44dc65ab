import type { ServerManifest } from '../../../preload/contract.js';
import { useApi, useAction, useResource } from '../../api/api.js';
import { Code, EmptyState, ErrorBanner, Name, PageHeader, formatDateTime } from '../../ui/ui.js';
import { DeployWindowBar } from './deploy-window.js';
import { HeldToolCard } from './held-tool-card.js';

function PinnedTable({ manifest }: { manifest: ServerManifest }) {
  return (
    <section className="card" aria-labelledby={`pins-${manifest.server}`}>
      <header className="card-head">
        <h2 id={`pins-${manifest.server}`}><Name value={manifest.server} /></h2>
        <span className="muted small">{manifest.pinned.length} pinned{manifest.held.length ? ` · ${manifest.held.length} held` : ''}</span>
      </header>
      {manifest.pinned.length === 0 ? <p className="muted">Nothing pinned yet: every tool of this server is held above.</p> : (
        <table className="table">
          <thead><tr><th scope="col">Tool</th><th scope="col">Description</th><th scope="col">Digest</th><th scope="col">Pinned</th></tr></thead>
          <tbody>
            {manifest.pinned.map((pin) => (
              <tr key={pin.tool}>
                <td className="pin-tool"><strong><Name value={pin.tool} /></strong></td>
                <td className="pin-desc" title={pin.description}>{pin.description || <span className="muted">no description</span>}</td>
                <td className="mono small" title={pin.digest}>{pin.digest.slice(0, 12)}</td>
                <td className="small">{formatDateTime(pin.pinnedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ManifestsPage() {
  const api = useApi();
  // Drift, accepts and window changes all write an audit row, so 'activity' is the signal.
  const view = useResource((a) => a.manifests(), ['activity']);
  const { busy, error, run } = useAction(() => view.reload());
  const servers = view.data?.servers ?? [];
  const held = servers.flatMap((s) => s.held.map((row) => ({ server: s.server, row })));
  return (
    <>
      <PageHeader title="Manifests" subtitle="Tool definitions pinned on first approval. A changed or new tool stays hidden from clients until you accept it." />
      <ErrorBanner message={error ?? view.error} />
      {view.data ? (
        <DeployWindowBar window={view.data.deployWindow} busy={busy}
          onOpen={(ticket, minutes) => void run(() => api.setDeployWindow({ open: true, ticket, minutes }))}
          onClose={() => void run(() => api.setDeployWindow({ open: false }))} />
      ) : null}
      {view.loading ? null : servers.length === 0 ? (
        <EmptyState title="No server has been pinned yet" icon="⎘">
          <p>The first time a protected server lists its tools, each definition is pinned. Any later change to a name, description or schema
            hides that tool until you accept it here, with a side-by-side diff and poisoning cues highlighted in place.</p>
          <p>Protect a client on the <a href="#/servers">Servers</a> page and use it once. To vet a saved <Code>tools/list</Code> now, run <Code>mcp-firewall manifest check FILE</Code>.</p>
        </EmptyState>
      ) : (
        <>
          <h2 className="section-title">Held for review {held.length ? <span className="count-inline">{held.length}</span> : null}</h2>
          {held.length === 0 ? <p className="muted">Nothing is held: every tool your servers show matches its pin.</p> : (
            <div className="stack">
              {held.map(({ server, row }) => (
                <HeldToolCard key={`${server}/${row.tool}/${row.digest}`} server={server} row={row} busy={busy}
                  onAccept={(digest) => void run(() => api.acceptPins({ server, tool: row.tool, digest }))}
                  onKeep={(digest) => void run(() => api.keepBlocked({ server, tool: row.tool, digest }))} />
              ))}
            </div>
          )}
          <h2 className="section-title">Pinned tools</h2>
          <div className="stack">{servers.map((s) => <PinnedTable key={s.server} manifest={s} />)}</div>
        </>
      )}
    </>
  );
}
