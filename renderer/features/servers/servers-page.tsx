import { useState } from 'react';
import type { EditOutcome, RegistryRow, ServerRow } from '../../../preload/contract.js';
import { useApi, useResource } from '../../api/api.js';
import { AutoProtectToggle } from './auto-protect.js';
import { RemoteLogins } from './remote-logins.js';
import { Badge, Code, EmptyState, ErrorBanner, Name, PageHeader } from '../../ui/ui.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function summarize(outcome: EditOutcome): string {
  const counts = new Map<string, number>();
  outcome.entries.forEach((e) => counts.set(e.outcome, (counts.get(e.outcome) ?? 0) + 1));
  const parts = [...counts].map(([k, n]) => `${n} ${k.replace(/-/g, ' ')}`);
  return [parts.join(', ') || 'nothing to change', ...outcome.errors.map((e) => `${e.file}: ${e.message}`)].join('; ');
}

const ROUTABLE = new Set(['stdio', 'http', 'sse']);

function ClientCard({ name, id, rows, registry, run }: {
  name: string; id: string; rows: ServerRow[]; registry: Map<string, RegistryRow>; run: (what: () => Promise<unknown>) => void;
}) {
  const api = useApi();
  // Local servers are wrapped, remote ones (Streamable HTTP, SSE) routed through the interposer.
  const unprotected = rows.filter((r) => r.status !== 'protected' && ROUTABLE.has(r.transport)).length;
  const protectedCount = rows.filter((r) => r.status === 'protected').length;
  return (
    <section className="card" aria-labelledby={`client-${id}`}>
      <header className="card-head">
        <div>
          <h2 id={`client-${id}`}>{name}</h2>
          <p className="muted mono small">{[...new Set(rows.map((r) => r.file))].join(', ')}</p>
        </div>
        <div className="actions">
          {unprotected > 0 ? (
            <button type="button" className="btn btn-primary" aria-label={`Protect ${name}`} onClick={() => run(() => api.protect({ client: id }))}>
              Protect {unprotected === 1 ? '1 server' : `${unprotected} servers`}
            </button>
          ) : null}
          {protectedCount > 0 ? (
            <button type="button" className="btn btn-secondary" aria-label={`Unprotect ${name}`} onClick={() => run(() => api.unprotect({ client: id }))}>
              Restore original config
            </button>
          ) : null}
        </div>
      </header>
      <table className="table">
        <thead>
          <tr><th scope="col">Server</th><th scope="col">Status</th><th scope="col">Launch</th><th scope="col">Secrets</th><th scope="col"><span className="sr-only">Registry</span></th></tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const entry = registry.get(row.name);
            return (
              <tr key={`${row.file}:${row.scope}:${row.name}`} className={row.status === 'shadow' ? 'row-shadow' : undefined}>
                <td><strong><Name value={row.name} /></strong><div className="muted small">{row.scope} · {row.transport}</div></td>
                <td>
                  <Badge value={row.status} title={row.status === 'shadow' ? 'Not in the approved registry: it will be refused if it runs through the firewall' : undefined} />
                  {row.note ? <div className="muted small">{row.note}</div> : null}
                </td>
                <td className="mono small launch" title={row.launch ?? ''}>{row.launch === null ? '—' : <Name value={row.launch} />}</td>
                <td className="small">{row.secrets.length === 0 ? <span className="muted">none</span> : row.secrets.map((s) => (
                  <div key={`${s.where}:${s.name}`}><Code><Name value={s.name} /></Code> <span className="muted">in {s.where}</span></div>
                ))}</td>
                <td className="actions-cell">
                  {entry?.pending ? <PendingLaunch name={row.name} launch={entry.pending} digest={entry.pendingDigest} run={run} /> : null}
                  {!entry && row.waiting ? (
                    <PendingLaunch name={row.name} launch={row.waiting} digest={row.waitingDigest} run={run} />
                  ) : !entry ? (
                    // No launch line waits as shown: one refused since is not pinned unseen (the engine answers 409).
                    <button type="button" className="btn btn-small" aria-label={`Approve ${row.name}`} onClick={() => run(() => api.approveServer({ name: row.name, launch: null }))}>Approve</button>
                  ) : entry.enabled ? (
                    <button type="button" className="btn btn-small btn-danger-quiet" aria-label={`Disable ${row.name}`} onClick={() => run(() => api.setServerEnabled({ name: row.name, enabled: false }))}>Disable</button>
                  ) : (
                    <button type="button" className="btn btn-small" aria-label={`Enable ${row.name}`} onClick={() => run(() => api.setServerEnabled({ name: row.name, enabled: true }))}>Enable</button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function ServersPage() {
  const api = useApi();
  const servers = useResource((a) => a.servers(), ['registry']);
  const registry = useResource((a) => a.registry(), ['registry']);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (what: () => Promise<unknown>) => {
    setBusy(true);
    what().then(
      (result) => {
        setError(null);
        setMessage(result && typeof result === 'object' && 'entries' in result ? summarize(result as EditOutcome) : 'Done.');
      },
      (err: Error) => setError(err.message),
    ).finally(() => {
      setBusy(false);
      servers.reload();
      registry.reload();
    });
  };
  const rows = servers.data?.servers ?? [];
  const byClient = new Map<string, ServerRow[]>();
  rows.forEach((row) => byClient.set(row.client, [...(byClient.get(row.client) ?? []), row]));
  const regMap = new Map((registry.data ?? []).map((r) => [r.name, r]));
  const shadows = rows.filter((r) => r.status === 'shadow').length;
  const orphans = (registry.data ?? []).filter((r) => !rows.some((row) => row.name === r.name));
  return (
    <>
      <PageHeader
        title="Servers"
        subtitle={rows.length ? `${plural(rows.length, 'server')} in ${plural(byClient.size, 'client')}${shadows ? ` · ${shadows} shadow` : ''}` : 'Every MCP server your AI tools are configured to run.'}
        actions={<button type="button" className="btn btn-secondary" onClick={() => { servers.reload(); registry.reload(); }} disabled={busy}>Rescan</button>}
      />
      <ErrorBanner message={error ?? servers.error ?? registry.error} />
      {message ? <div className="banner banner-info" role="status">{message}</div> : null}
      <AutoProtectToggle />
      <RemoteLogins />
      {(servers.data?.errors ?? []).map((e) => <div key={e.file} className="banner banner-warn">{e.client}: {e.file}: {e.message}</div>)}
      {servers.loading ? <p className="muted">Scanning client configs…</p> : rows.length === 0 ? (
        <EmptyState title="No MCP client configs found" icon="▤">
          <p>MCP Firewall looks in the config files of Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, Zed, Gemini CLI, Codex and more.</p>
          <p>Add an MCP server to one of them, then press <strong>Rescan</strong>. Each server you protect runs through the firewall from its next start.</p>
        </EmptyState>
      ) : (
        <div className="stack">
          {shadows > 0 ? (
            <div className="banner banner-warn" role="note">
              <strong>{shadows} shadow {shadows === 1 ? 'server' : 'servers'}</strong>: configured in a client but not approved. Protect the client to route and approve them, or approve individually.
            </div>
          ) : null}
          {[...byClient].map(([id, list]) => (
            <ClientCard key={id} id={id} name={list[0]!.clientName} rows={list} registry={regMap} run={run} />
          ))}
        </div>
      )}
      {orphans.length > 0 ? (
        <section className="card">
          <h2>Registry entries not in any client config</h2>
          <ul className="plain">
            {orphans.map((r) => (
              <li key={r.name}>
                {r.pending ? <PendingLaunch name={r.name} launch={r.pending} digest={r.pendingDigest} run={run} /> : null}
                <strong><Name value={r.name} /></strong> <Badge value={r.enabled ? 'ENABLED' : 'DISABLED'} /> <span className="mono small muted">{r.launch === null ? 'launch line pinned on first run' : <Name value={r.launch} />}</span>{' '}
                {r.moreLaunches.map((launch) => (
                  <span key={launch} className="mono small muted">and <Name value={launch} />{' '}</span>
                ))}
                <button type="button" className="btn btn-small" onClick={() => run(() => api.setServerEnabled({ name: r.name, enabled: !r.enabled }))}>{r.enabled ? 'Disable' : 'Enable'}</button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

/**
 * A launch line refused as drift or proposed by auto-protect: the one place in the app a
 * person can let it run (beside the lines approved before), as `registry approve NAME --launch
 * DIGEST` does: the digest of the line shown goes with the click, so a line another config
 * launched under the name since is refused (409), not approved in its place.
 */
function PendingLaunch({ name, launch, digest, run }: { name: string; launch: string; digest: string | null; run: (what: () => Promise<unknown>) => void }) {
  const api = useApi();
  return (
    <div className="small pending-launch">
      <div className="muted">Waits for approval: <span className="mono launch"><Name value={launch} /></span></div>
      <button type="button" className="btn btn-small" aria-label={`Approve the waiting launch line of ${name}`} onClick={() => run(() => api.approveServer({ name, launch: digest }))}>Approve this launch</button>
    </div>
  );
}
