import { useMemo, useState } from 'react';
import type { ActivityQuery, ActivityRow } from '../../../preload/contract.js';
import { useResource } from '../../api/api.js';
import { makeVisible, oneLineName } from '../../../preload/visible-text.js';
import { Badge, Code, EmptyState, ErrorBanner, Name, PageHeader, formatDateTime, formatTime } from '../../ui/ui.js';

const DECISIONS = ['ALLOW', 'DENY', 'REQUIRE_APPROVAL', 'PASS', 'ERROR', 'TIMEOUT', 'CANCELLED'];

function Detail({ row, onClose }: { row: ActivityRow; onClose: () => void }) {
  const facts: Array<[string, React.ReactNode]> = [
    ['When', formatDateTime(row.time)],
    ['Event', row.event],
    ['Client', row.client ? <Name key="c" value={row.client} /> : '—'],
    ['Server', row.server ? <Name key="s" value={row.server} /> : '—'],
    ['Tool', row.tool ?? row.method ? <Name key="t" value={(row.tool ?? row.method)!} /> : '—'],
    ['Action class', row.actionClass ?? '—'],
    ['Verdict', <Badge key="v" value={row.decision} />],
    ['Rule', row.ruleId ? <Code key="r">{row.ruleId}</Code> : 'no rule (policy default)'],
    ['Reason', row.reason ? makeVisible(row.reason) : '—'],
    ['Approval', row.approvalId ?? '—'],
    ['Latency', row.latencyMs !== null ? `${Math.round(row.latencyMs)} ms` : '—'],
    // Arguments themselves never reach the audit file: only their digest, so a secret in a call stays out of it.
    ['Arguments', row.argsDigest ? <span key="a"><span className="mono small" title={row.argsDigest}>{row.argsDigest.slice(0, 23)}…</span><br /><span className="muted small">digest only: arguments are never written to the audit trail</span></span> : '—'],
  ];
  return (
    <aside className="card detail" aria-label="Call detail">
      <header className="card-head">
        <h2>#{row.id} <Name value={row.tool ?? row.event} /></h2>
        <button type="button" className="btn btn-small" onClick={onClose}>Close</button>
      </header>
      <dl>{facts.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
    </aside>
  );
}

/** A filter choice: the name itself is the value, spelled out as its label (an <option> holds text only, no <bdi>). */
function NameOption({ value }: { value: string }) {
  return <option value={value}>{oneLineName(value, Infinity)}</option>;
}

export function ActivityPage() {
  const [filter, setFilter] = useState<ActivityQuery>({});
  const [callsOnly, setCallsOnly] = useState(true);
  const [selected, setSelected] = useState<number | null>(null);
  const activity = useResource((api) => api.activity({ ...filter, limit: 300 }), ['activity'], [JSON.stringify(filter)]);
  const everything = useResource((api) => api.activity({ limit: 500 }), ['activity']);
  const options = useMemo(() => {
    const rows = everything.data ?? [];
    const uniq = (pick: (r: ActivityRow) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => !!v))].sort();
    return { clients: uniq((r) => r.client), servers: uniq((r) => r.server) };
  }, [everything.data]);
  const rows = (activity.data ?? []).filter((r) => !callsOnly || r.event === 'call' || r.event === 'result');
  const current = rows.find((r) => r.id === selected) ?? null;
  const set = (key: keyof ActivityQuery) => (e: React.ChangeEvent<HTMLSelectElement>) =>
    setFilter((f) => ({ ...f, [key]: e.target.value || undefined }));
  return (
    <>
      <PageHeader title="Activity" subtitle="Every tool call and what the firewall decided, newest first. Updates live." />
      <ErrorBanner message={activity.error} />
      <div className="filters" role="group" aria-label="Filters">
        <label>Client <select value={filter.client ?? ''} onChange={set('client')}><option value="">All</option>{options.clients.map((c) => <NameOption key={c} value={c} />)}</select></label>
        <label>Server <select value={filter.server ?? ''} onChange={set('server')}><option value="">All</option>{options.servers.map((c) => <NameOption key={c} value={c} />)}</select></label>
        <label>Verdict <select value={filter.decision ?? ''} onChange={set('decision')}><option value="">All</option>{DECISIONS.map((d) => <option key={d} value={d}>{d.replace(/_/g, ' ').toLowerCase()}</option>)}</select></label>
        <label className="check"><input type="checkbox" checked={callsOnly} onChange={(e) => setCallsOnly(e.target.checked)} /> Tool calls only</label>
      </div>
      {activity.loading ? null : rows.length === 0 ? (
        <EmptyState title={Object.keys(filter).length ? 'No calls match these filters' : 'No tool calls yet'} icon="≋">
          <p>Calls appear here the moment an AI tool uses a protected server: who called, which tool, and the verdict with the rule behind it.</p>
          <p>Start on the <a href="#/servers">Servers</a> page: protect a client, restart it, and use one of its tools.</p>
        </EmptyState>
      ) : (
        <div className={current ? 'split' : undefined}>
          <div className="table-scroll">
          <table className="table table-hover table-compact">
            <thead><tr><th scope="col">Time</th><th scope="col">Client</th><th scope="col">Server</th><th scope="col">Tool</th><th scope="col">Action</th><th scope="col">Verdict</th><th scope="col">Rule</th></tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} className={row.id === selected ? 'selected' : undefined} tabIndex={0} aria-selected={row.id === selected}
                  onClick={() => setSelected(row.id)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setSelected(row.id); } }}>
                  <td className="mono small">{formatTime(row.time)}</td>
                  <td>{row.client ? <Name value={row.client} /> : '—'}</td>
                  <td>{row.server ? <Name value={row.server} /> : '—'}</td>
                  <td><strong><Name value={row.tool ?? row.method ?? row.event} /></strong>{row.event === 'result' ? <span className="muted small"> result</span> : null}</td>
                  <td>{row.actionClass ? <Badge value={row.actionClass} /> : '—'}</td>
                  <td><Badge value={row.decision} /></td>
                  <td className="mono small">{row.ruleId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          {current ? <Detail row={current} onClose={() => setSelected(null)} /> : null}
        </div>
      )}
    </>
  );
}
