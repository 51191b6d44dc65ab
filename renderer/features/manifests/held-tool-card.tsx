import type { HeldToolRow } from '../../../preload/contract.js';
import { useResource } from '../../api/api.js';
import { Badge, ErrorBanner, Name, formatDateTime } from '../../ui/ui.js';
import { CueView, DiffView } from './diff-view.js';

const KIND_TEXT: Record<HeldToolRow['kind'], string> = {
  drifted: 'changed since you pinned it',
  new: 'appeared after the server was pinned',
  poisoned: 'its definition carries poisoning cues',
};

export function HeldToolCard({ server, row, busy, onAccept, onKeep }: {
  server: string; row: HeldToolRow; busy: boolean; onAccept: (reviewedDigest: string) => void; onKeep: (reviewedDigest: string) => void;
}) {
  const review = useResource((api) => api.manifestDiff({ server, tool: row.tool }), [], [server, row.tool, row.digest]);
  const detail = review.data?.[0];
  return (
    <article className={`card held held-${row.kind}`} aria-label={`${server} ${row.tool} held for review`}>
      <header className="card-head">
        <div>
          <h2><span className="muted"><Name value={server} /> ·</span> <Name value={row.tool} /></h2>
          <p className="muted small">{KIND_TEXT[row.kind]} · first seen {formatDateTime(row.firstSeen)}</p>
        </div>
        <Badge value={row.kind} />
      </header>
      <p className="reason"><strong>Why it is held:</strong> {row.reason}</p>
      {row.keptBlockedAt ? (
        <div className="banner banner-info" role="status">You kept this version blocked at {formatDateTime(row.keptBlockedAt)}: clients do not see it and its calls are denied.</div>
      ) : null}
      <ErrorBanner message={review.error} />
      {detail ? (
        <>
          <DiffView review={detail} />
          <CueView review={detail} />
        </>
      ) : review.loading ? <p className="muted">Loading the diff…</p> : null}
      <div className="actions held-actions">
        {/* Accept and Keep blocked name the version whose diff is shown, and wait for it: the engine refuses them if the server changed the tool since. */}
        <button type="button" className="btn btn-primary" disabled={busy || !detail} onClick={() => detail && onAccept(detail.digest)}>Accept</button>
        <button type="button" className="btn btn-secondary" disabled={busy || !detail || row.keptBlockedAt !== null}
          onClick={() => detail && onKeep(detail.digest)}
          aria-describedby={`keep-${server}-${row.tool}`}>Keep blocked</button>
        <span id={`keep-${server}-${row.tool}`} className="muted small">
          Accept pins this version and shows the tool to clients again. Keep blocked keeps the tool hidden and its calls denied.
        </span>
      </div>
    </article>
  );
}
