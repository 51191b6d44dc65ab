import type { QuarantineRow } from '../../../preload/contract.js';
import { useApi, useAction, useResource } from '../../api/api.js';
import { Badge, Code, EmptyState, ErrorBanner, Name, PageHeader, formatDateTime } from '../../ui/ui.js';

function Findings({ findings }: { findings: QuarantineRow['findings'] }) {
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i}>
          <span className={`badge badge-${f.severity === 'high' || f.severity === 'critical' ? 'bad' : 'warn'}`}>{f.type}</span>{' '}
          <span className="muted small">{f.family} at <span className="mono">{f.path || 'result'}</span></span>
        </li>
      ))}
    </ul>
  );
}

function HeldCard({ item, busy, onRelease, onDrop }: { item: QuarantineRow; busy: boolean; onRelease: () => void; onDrop: () => void }) {
  const preview = useResource((api) => api.quarantinePreview({ id: item.id }), [], [item.id]);
  return (
    <article className="card held held-quarantine" aria-label={`${item.server} ${item.tool} result held`}>
      <header className="card-head">
        <div>
          <h2><span className="muted"><Name value={item.server} /> ·</span> <Name value={item.tool} /></h2>
          <p className="muted small">{item.client && item.client !== 'unknown' ? <>for <strong>{item.client}</strong> · </> : null}held {formatDateTime(item.heldAt)} · <span className="mono">{item.id}</span></p>
        </div>
        <Badge value={item.status} />
      </header>
      <h3 className="small-title">What was found</h3>
      <Findings findings={item.findings} />
      <h3 className="small-title">Result, with the findings masked</h3>
      {preview.error ? <div className="banner banner-error" role="alert">{preview.error}</div> : (
        <pre className="args masked" aria-label="Masked result">{preview.data ? preview.data.masked + (preview.data.truncated ? '\n… (cut here; release to deliver it whole)' : '') : 'Loading…'}</pre>
      )}
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={onRelease}>Release</button>
        <button type="button" className="btn btn-danger-quiet" disabled={busy} onClick={onDrop}>Drop</button>
        <span className="muted small">Release delivers the result, unmasked, the next time the same call runs. Drop deletes it for good.</span>
      </div>
    </article>
  );
}

export function QuarantinePage() {
  const api = useApi();
  // Holds, releases, drops and deliveries all write an audit row, so 'activity' is the signal.
  const items = useResource((a) => a.quarantine(), ['activity']);
  const { busy, error, run } = useAction(() => items.reload());
  const all = items.data ?? [];
  const held = all.filter((i) => i.status === 'held');
  const decided = all.filter((i) => i.status !== 'held');
  return (
    <>
      <PageHeader title="Quarantine" subtitle="Tool results held back before they reached the model, kept encrypted until you decide." />
      <ErrorBanner message={error ?? items.error} />
      {items.loading ? null : held.length === 0 ? (
        <EmptyState title="Nothing is held" icon="⛒">
          <p>When the output stage finds something that must not reach the model unseen — a private key, a live credential — the result is withheld,
            kept encrypted, and listed here with what was found, for you to release or drop.</p>
          <p>Smaller findings are redacted in place and pass; see them on the <a href="#/activity">Activity</a> page. The CLI has the same: <Code>mcp-firewall quarantine list</Code>.</p>
        </EmptyState>
      ) : (
        <div className="stack">
          {held.map((item) => (
            <HeldCard key={item.id} item={item} busy={busy}
              onRelease={() => void run(() => api.releaseQuarantined({ id: item.id }))}
              onDrop={() => void run(() => api.dropQuarantined({ id: item.id }))} />
          ))}
        </div>
      )}
      {decided.length > 0 ? (
        <>
          <h2 className="section-title">Decided</h2>
          <table className="table">
            <thead><tr><th scope="col">Held</th><th scope="col">Server · tool</th><th scope="col">Found</th><th scope="col">Outcome</th></tr></thead>
            <tbody>
              {decided.map((item) => (
                <tr key={item.id}>
                  <td>{formatDateTime(item.heldAt)}</td>
                  <td><span className="muted"><Name value={item.server} /> ·</span> <Name value={item.tool} /></td>
                  <td>{[...new Set(item.findings.map((f) => f.type))].join(', ')}</td>
                  <td><Badge value={item.status} title={item.status === 'released' ? 'Released; delivered on the next identical call' : undefined} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
