import { useEffect, useState } from 'react';
import type { Approval, AnswerApproval } from '../../../preload/contract.js';
import { useApi, useResource } from '../../api/api.js';
import { Badge, Code, EmptyState, ErrorBanner, Name, PageHeader, formatTime } from '../../ui/ui.js';
import { makeVisible, reasonLacksRule } from '../../../preload/visible-text.js';

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

function ApprovalCard({ approval, onAnswer }: { approval: Approval; onAnswer: (a: AnswerApproval) => Promise<void> }) {
  const left = useSecondsLeft(approval.expiresAt);
  const [busy, setBusy] = useState(false);
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
      <p className="reason"><strong>Why:</strong> {approval.reason} {reasonLacksRule(approval.reason, approval.ruleId) ? <>(rule <Code>{approval.ruleId}</Code>)</> : null}</p>
      <pre className="args" aria-label="Arguments">{makeVisible(approval.argumentsPreview)}</pre>
      <div className="actions">
        {ACTIONS.map((action) => (
          <button key={action.label} type="button" className={`btn btn-${action.style}`} disabled={busy}
            onClick={() => void answer({ id: approval.id, verdict: action.verdict, ...(action.scope ? { scope: action.scope } : {}) })}>
            {action.label}
          </button>
        ))}
      </div>
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
