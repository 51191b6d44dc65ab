import { useEffect, useMemo, useState } from 'react';
import type { Approval, AnswerApproval, ApprovalArguments, FirewallApi } from '../../../preload/contract.js';
import { useApi, useResource } from '../../api/api.js';
import { Badge, Code, EmptyState, ErrorBanner, Name, PageHeader, formatTime } from '../../ui/ui.js';
import { breakAtEscapedNewlines, makeVisible, reasonLacksRule } from '../../../preload/visible-text.js';
import { approvalFromHash } from '../../routes.js';

/** The same four answers as the native dialog, in the same order. */
const ACTIONS: Array<{ label: string; verdict: AnswerApproval['verdict']; scope?: AnswerApproval['scope']; style: string }> = [
  { label: 'Allow once', verdict: 'allow', scope: 'once', style: 'primary' },
  { label: 'Allow for this session', verdict: 'allow', scope: 'session', style: 'secondary' },
  { label: 'Always for these arguments', verdict: 'allow', scope: 'always', style: 'secondary' },
  { label: 'Deny', verdict: 'deny', style: 'danger' },
];

function useSecondsLeft(expiresAt: string): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000));
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * All of an approval's arguments, fetched when asked for (or when the native dialog's "Show all
 * arguments…" opened the page at it): the list keeps its short previews, and a 5 MB body is
 * loaded only for the card someone reads.
 */
function useFullArguments(api: FirewallApi, approval: Approval) {
  const [full, setFull] = useState<ApprovalArguments | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    setLoading(true);
    try {
      setFull(await api.approvalArguments({ id: approval.id }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    // For the card the page was opened at, or pointed at later (the dialog's button while
    // the page is already open changes only the hash).
    const loadIfPointedAt = () => {
      if (approval.argumentsCut && approvalFromHash(window.location.hash) === approval.id) void load();
    };
    loadIfPointedAt();
    window.addEventListener('hashchange', loadIfPointedAt);
    return () => window.removeEventListener('hashchange', loadIfPointedAt);
  }, [approval.id]);
  return { full, loading, error, load };
}

function ApprovalCard({ approval, onAnswer }: { approval: Approval; onAnswer: (a: AnswerApproval) => Promise<void> }) {
  const left = useSecondsLeft(approval.expiresAt);
  const [busy, setBusy] = useState(false);
  const api = useApi();
  const { full, loading, error, load } = useFullArguments(api, approval);
  // React sets it as text: markup in the arguments is shown, never parsed.
  // A file body reads line by line (each `\n` kept, then a real break).
  const fullText = useMemo(() => (full ? breakAtEscapedNewlines(makeVisible(full.text)) : null), [full]);
  // The engine refuses "session" and "always" for a cut preview nobody has read all of (wideScopeRefusal).
  const allRead = !approval.argumentsCut || (full !== null && full.notShown === 0);
  const answer = async (a: AnswerApproval) => {
    setBusy(true);
    try {
      await onAnswer(a);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="card approval" aria-label={`${approval.server} ${approval.tool} waiting for approval`}>
      <header className="approval-head">
        <div>
          <h2><span className="muted"><Name value={approval.server} /> ·</span> <Name value={approval.tool} /></h2>
          <p className="muted">from <strong><Name value={approval.client} /></strong> at {formatTime(approval.requestedAt)}</p>
        </div>
        <div className="approval-meta">
          <Badge value={approval.actionClass} />
          <span className={`countdown ${left < 20 ? 'countdown-low' : ''}`} title="Denied automatically when this runs out">{left}s left</span>
        </div>
      </header>
      <p className="reason"><strong>Why:</strong> {makeVisible(approval.reason)} {reasonLacksRule(approval.reason, approval.ruleId) ? <>(rule <Code>{approval.ruleId}</Code>)</> : null}</p>
      {fullText === null ? (
        <pre className="args" aria-label="Arguments">{makeVisible(approval.argumentsPreview)}</pre>
      ) : (
        <pre className="args args-full" aria-label="All arguments" tabIndex={0}>{fullText}</pre>
      )}
      {approval.argumentsCut && !full ? (
        <p className="args-cut" role="note">
          <strong>Not all of the arguments are shown:</strong> the preview leaves part of their {count(approval.argumentsChars)} characters out.{' '}
          <button type="button" className="btn btn-small" disabled={loading} onClick={() => void load()}>{loading ? 'Loading…' : 'Show all arguments'}</button>
        </p>
      ) : null}
      {full && full.notShown > 0 ? (
        <p className="args-cut" role="note">
          <strong>{count(full.notShown)} more characters are not shown here</strong> (the page holds the first {count(full.text.length)} of {count(full.totalChars)}).
          {' '}<Code>{`mcp-firewall approvals show ${approval.id}`}</Code> prints all of them.
        </p>
      ) : null}
      {full && full.notShown === 0 && approval.argumentsCut ? <p className="muted args-note">All {count(full.totalChars)} characters of the arguments are shown above.</p> : null}
      {error ? <ErrorBanner message={error} /> : null}
      {approval.onlyOnce ? <p className="args-cut" role="note"><strong>Only Allow once:</strong> {approval.onlyOnce}.</p> : null}
      <div className="actions">
        {/* A guard's call is never offered a remembered answer: the engine refuses it (scope-refusal.ts). */}
        {ACTIONS.filter((action) => !approval.onlyOnce || action.verdict === 'deny' || action.scope === 'once').map((action) => {
          const wide = action.verdict === 'allow' && action.scope !== 'once';
          return (
            <button key={action.label} type="button" className={`btn btn-${action.style}`} disabled={busy || (wide && !allRead)}
              title={wide && !allRead ? 'Read all of the arguments first (Show all arguments)' : undefined}
              onClick={() => void answer({ id: approval.id, verdict: action.verdict, ...(action.scope ? { scope: action.scope } : {}) })}>
              {action.label}
            </button>
          );
        })}
      </div>
      {!allRead && !approval.onlyOnce ? <p className="muted args-note">Allowing for the session or always needs all of the arguments read first; Allow once allows only this call.</p> : null}
    </article>
  );
}

export function ApprovalsPage() {
  const api = useApi();
  const approvals = useResource((a) => a.approvals(), ['approvals']);
  const [error, setError] = useState<string | null>(null);
  const onAnswer = async (answer: AnswerApproval) => {
    try {
      await api.answerApproval(answer);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
    approvals.reload();
  };
  const list = approvals.data ?? [];
  return (
    <>
      <PageHeader title="Approvals" subtitle="Tool calls waiting for a person. Nothing runs until you answer; no answer in time means deny." />
      <ErrorBanner message={error ?? approvals.error} />
      {approvals.loading ? null : list.length === 0 ? (
        <EmptyState title="Nothing is waiting for you" icon="✓">
          <p>When a tool call needs approval it appears here, in the tray and as a native dialog in the desktop app.
            The default policy asks before every <strong>write</strong> and <strong>destructive</strong> call; reads go through.</p>
          <p>To see it work: protect a client on the <a href="#/servers">Servers</a> page, then ask your assistant to write a file.</p>
        </EmptyState>
      ) : (
        <div className="stack">
          {list.map((approval) => <ApprovalCard key={approval.id} approval={approval} onAnswer={onAnswer} />)}
        </div>
      )}
    </>
  );
}
