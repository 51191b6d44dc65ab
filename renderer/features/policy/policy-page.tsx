import { useEffect, useRef, useState } from 'react';
import type { PolicyError } from '../../../preload/contract.js';
import { useApi, useResource } from '../../api/api.js';
import { EmptyState, ErrorBanner, Kbd, PageHeader, formatDateTime } from '../../ui/ui.js';

const CHECK_DELAY_MS = 300;

/** Puts the caret on an error's line so the user lands where the problem is. */
function jumpTo(area: HTMLTextAreaElement | null, error: PolicyError) {
  if (!area) return;
  const lines = area.value.split('\n');
  const offset = lines.slice(0, Math.max(0, error.line - 1)).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, error.column - 1);
  area.focus();
  area.setSelectionRange(offset, offset);
}

export function PolicyPage() {
  const api = useApi();
  const policy = useResource((a) => a.policy(), ['policy']);
  const overview = useResource((a) => a.overview(), ['policy']);
  const [draft, setDraft] = useState<string | null>(null);
  const [errors, setErrors] = useState<PolicyError[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const source = draft ?? policy.data?.source ?? '';
  const dirty = draft !== null && draft !== policy.data?.source;

  useEffect(() => {
    if (draft === null) return;
    const timer = setTimeout(() => {
      api.checkPolicy({ source: draft }).then(setErrors, (err: Error) => setFailure(err.message));
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [api, draft]);

  const save = async () => {
    const result = await api.savePolicy({ source });
    if (result.saved) {
      setErrors([]);
      setStatus('Saved. The engine reloads the policy within a moment; running shims get it at once.');
      setDraft(null);
      setTimeout(() => policy.reload(), 300);
    } else {
      setErrors(result.errors);
      setStatus(null);
    }
  };
  const emergency = overview.data?.emergencyWriteApproval ?? false;
  if (policy.error) return <ErrorBanner message={policy.error} />;
  return (
    <>
      <PageHeader
        title="Policy"
        subtitle={policy.data ? <>Rules in <span className="mono">{policy.data.file}</span> · in force since {formatDateTime(policy.data.loadedAt)}</> : null}
        actions={(
          <>
            <button type="button" className={`btn ${emergency ? 'btn-danger' : 'btn-secondary'}`} aria-pressed={emergency}
              onClick={() => void api.setEmergency({ enabled: !emergency }).then(() => overview.reload(), (e: Error) => setFailure(e.message))}>
              {emergency ? 'Emergency write approval: ON' : 'Emergency: approve all writes'}
            </button>
            <button type="button" className="btn btn-primary" disabled={!dirty || errors.length > 0} onClick={() => void save()}>Save</button>
          </>
        )}
      />
      <ErrorBanner message={failure} />
      {(policy.data?.errors ?? []).length > 0 ? (
        <div className="banner banner-warn" role="alert">The file on disk has errors; the engine keeps running on the last good policy. Fix them below and save.</div>
      ) : null}
      {status ? <div className="banner banner-info" role="status">{status}</div> : null}
      {policy.loading ? null : !policy.data ? (
        <EmptyState title="No policy loaded" icon="§"><p>The engine did not report a policy file.</p></EmptyState>
      ) : (
        <div className="editor">
          <label htmlFor="policy-source" className="sr-only">Policy YAML</label>
          <textarea id="policy-source" ref={area} className={`code-area ${errors.length ? 'invalid' : ''}`} spellCheck={false} value={source}
            aria-invalid={errors.length > 0} aria-describedby="policy-errors"
            onChange={(e) => { setDraft(e.target.value); setStatus(null); }}
            onKeyDown={(e) => { if ((e.metaKey || e.ctrlKey) && e.key === 's') { e.preventDefault(); if (dirty && errors.length === 0) void save(); } }} />
          <div id="policy-errors" aria-live="polite">
            {errors.length === 0 ? (
              <p className="muted small">{dirty ? 'Valid. ' : ''}Save with <Kbd>Ctrl</Kbd>+<Kbd>S</Kbd>. Rules: <code>DENY</code> beats <code>REQUIRE_APPROVAL</code> beats <code>ALLOW</code>; no match means the default.</p>
            ) : (
              <ul className="errors">
                {errors.map((e, i) => (
                  <li key={i}><button type="button" className="link" onClick={() => jumpTo(area.current, e)}>Line {e.line}, column {e.column}</button>: {e.message}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </>
  );
}
