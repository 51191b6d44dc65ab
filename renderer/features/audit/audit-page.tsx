import { useState } from 'react';
import type { AuditResult } from '../../../preload/contract.js';
import { useApi } from '../../api/api.js';
import { EmptyState, ErrorBanner, Kbd, PageHeader } from '../../ui/ui.js';
import { makeVisible } from '../../../preload/visible-text.js';
import { toCsv } from './csv.js';
import { download } from './export.js';

const PRESETS: Array<{ label: string; sql: string }> = [
  { label: 'Recent decisions', sql: "SELECT event_time, client, server_name, tool_name, action_class, decision, rule_id, approval_id\nFROM mcp_audit\nWHERE event = 'call'\nORDER BY id DESC\nLIMIT 50;" },
  { label: 'Writes without approval (gate 1)', sql: "SELECT event_time, actor_id, server_name, tool_name, decision, approval_id\nFROM mcp_audit\nWHERE action_class IN ('write', 'destructive')\n  AND event = 'call' AND decision = 'ALLOW'\n  AND (approval_id IS NULL OR approval_id = '')\nORDER BY event_time DESC;" },
  { label: 'Denials per server', sql: "SELECT server_name, COUNT(*) AS denied\nFROM mcp_audit\nWHERE decision = 'DENY'\nGROUP BY server_name\nORDER BY denied DESC;" },
  { label: 'Shadow servers refused', sql: "SELECT event_time, client, server_name, reason\nFROM mcp_audit\nWHERE rule_id = 'registry-shadow'\nORDER BY id DESC;" },
];

export function AuditPage() {
  const api = useApi();
  const [sql, setSql] = useState(PRESETS[0]!.sql);
  const [result, setResult] = useState<AuditResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const run = async (text = sql) => {
    setRunning(true);
    try {
      setResult(await api.auditQuery({ sql: text }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setRunning(false);
    }
  };
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
  return (
    <>
      <PageHeader title="Audit" subtitle={<>SQL over the hash-chained <code>mcp_audit</code> table. Read-only: the query runs on a connection that cannot write.</>} />
      <div className="presets" role="group" aria-label="Example queries">
        {PRESETS.map((p) => (
          <button key={p.label} type="button" className="chip" onClick={() => { setSql(p.sql); void run(p.sql); }}>{p.label}</button>
        ))}
      </div>
      <div className="editor">
        <label htmlFor="audit-sql" className="sr-only">SQL query</label>
        <textarea id="audit-sql" className="code-area code-area-short" spellCheck={false} value={sql} onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => { if ((e.metaKey || e.ctrlKey) && e.key === 'Enter') { e.preventDefault(); void run(); } }} />
        <div className="actions">
          <button type="button" className="btn btn-primary" disabled={running} onClick={() => void run()}>Run query</button>
          <span className="muted small"><Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd></span>
          <span className="spacer" />
          <button type="button" className="btn btn-secondary" disabled={!result} onClick={() => result && download(`mcp-audit-${stamp()}.csv`, 'text/csv', toCsv(result))}>Export CSV</button>
          <button type="button" className="btn btn-secondary" disabled={!result} onClick={() => result && download(`mcp-audit-${stamp()}.json`, 'application/json', JSON.stringify(result.rows, null, 2))}>Export JSON</button>
        </div>
      </div>
      <ErrorBanner message={error} />
      {!result ? (
        <EmptyState title="Run a query to see the audit trail" icon="⌕">
          <p>Pick an example above or write your own. Every decision the firewall makes is one row: who, which server and tool, the action class, the verdict and the rule.</p>
        </EmptyState>
      ) : result.rows.length === 0 ? (
        <p className="muted" role="status">No rows.</p>
      ) : (
        <div className="table-scroll">
          <p className="muted small" role="status">{result.rows.length} rows</p>
          <table className="table">
            <thead><tr>{result.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
            <tbody>
              {result.rows.map((row, i) => (
                <tr key={i}>{result.columns.map((c) => <td key={c} className="small">{row[c] === null ? <span className="muted">null</span> : makeVisible(String(row[c]))}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
