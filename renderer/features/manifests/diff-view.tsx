import type { DiffRow, FieldDiff, HeldToolReview } from '../../../preload/contract.js';

/** The changed middle of a line pair, so an appended sentence stands out from what stayed. */
function changedSpan(a: string, b: string): [prefix: number, suffix: number] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return [prefix, suffix];
}

function Side({ text, other, tag, side }: { text: string | null; other: string | null; tag: DiffRow['tag']; side: 'before' | 'after' }) {
  if (text === null) return <td className="diff-cell diff-none" />;
  const cls = `diff-cell ${tag === 'same' ? '' : side === 'before' ? 'diff-del' : 'diff-ins'}`;
  if (tag !== 'changed' || other === null) return <td className={cls}>{text || ' '}</td>;
  const [prefix, suffix] = changedSpan(side === 'before' ? text : other, side === 'before' ? other : text);
  return (
    <td className={cls}>
      {text.slice(0, prefix)}
      <span className={side === 'before' ? 'diff-word-del' : 'diff-word-ins'}>{text.slice(prefix, text.length - suffix)}</span>
      {text.slice(text.length - suffix)}
    </td>
  );
}

/** Where the engine left rows out of a diff too long for a page: said, never passed off as unchanged. */
function CutRow({ row, span }: { row: DiffRow; span: number }) {
  return (
    <tr className="diff-cut">
      <td colSpan={span}>… {row.hidden ?? 0} more lines not shown here. All of them: <code>mcp-firewall pins diff</code></td>
    </tr>
  );
}

/** A tool with no pin has nothing to compare: its definition reads in one column. */
function NewFieldTable({ field }: { field: FieldDiff }) {
  return (
    <table className="diff" aria-label={`${field.field} diff`}>
      <thead><tr><th scope="col" className="diff-field">{field.field} <span className="muted">(new, never approved)</span></th></tr></thead>
      <tbody>{field.rows.map((row, i) => (row.tag === 'cut' ? <CutRow key={i} row={row} span={1} /> : <tr key={i}><td className="diff-cell diff-ins">{row.after || ' '}</td></tr>))}</tbody>
    </table>
  );
}

function FieldTable({ field }: { field: FieldDiff }) {
  const label = field.state === 'changed' ? field.field : `${field.field} (${field.state})`;
  return (
    <table className="diff" aria-label={`${field.field} diff`}>
      <thead>
        <tr><th scope="colgroup" colSpan={2} className="diff-field">{label}</th></tr>
        <tr><th scope="col">Pinned (approved)</th><th scope="col">Held (what the server shows now)</th></tr>
      </thead>
      <tbody>
        {field.rows.map((row, i) =>
          row.tag === 'cut' ? <CutRow key={i} row={row} span={2} /> : row.tag === 'skipped' ? (
            <tr key={i} className="diff-skip"><td colSpan={2}>… unchanged lines …</td></tr>
          ) : (
            <tr key={i}>
              <Side text={row.before} other={row.after} tag={row.tag} side="before" />
              <Side text={row.after} other={row.before} tag={row.tag} side="after" />
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

export function DiffView({ review }: { review: HeldToolReview }) {
  if (review.fields.length === 0) return <p className="muted">No change in the pinned fields.</p>;
  const isNew = review.fields.every((f) => f.state === 'added');
  return (
    <div className="diff-view">
      {review.fields.map((field) => (isNew ? <NewFieldTable key={field.field} field={field} /> : <FieldTable key={field.field} field={field} />))}
      {review.unchanged.length > 0 ? <p className="muted small">Unchanged: {review.unchanged.join(', ')}</p> : null}
    </div>
  );
}

/** The held tool's own text with each poisoning cue marked where it sits. */
export function CueView({ review }: { review: HeldToolReview }) {
  if (review.cues.length === 0) return null;
  return (
    <section className="cues" aria-label="Poisoning findings">
      <h3>Poisoning findings</h3>
      {review.marked.map((text) => (
        <figure key={text.path} className="marked">
          <figcaption className="mono small muted">{text.path}</figcaption>
          <p>
            {text.segments.map((seg, i) => {
              const cue = seg.cue === undefined ? undefined : review.cues[seg.cue];
              return cue ? <mark key={i} className={`cue cue-${cue.severity}`} title={`${cue.kind}: ${cue.reason}`}>{seg.text}</mark> : <span key={i}>{seg.text}</span>;
            })}
          </p>
        </figure>
      ))}
      <ul className="cue-list">
        {review.cues.map((cue, i) => (
          <li key={i}>
            <span className={`badge badge-${cue.severity === 'high' ? 'bad' : cue.severity === 'medium' ? 'warn' : 'neutral'}`}>{cue.severity}</span>{' '}
            <strong>{cue.kind.replace(/-/g, ' ')}</strong> <span className="muted">in {cue.path}</span> — {cue.reason}
          </li>
        ))}
        {review.cuesNotShown > 0 ? <li className="muted">… and {review.cuesNotShown} more findings, not listed or marked here</li> : null}
      </ul>
    </section>
  );
}
