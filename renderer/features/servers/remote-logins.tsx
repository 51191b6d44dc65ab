import { useEffect } from 'react';
import type { OAuthLoginRow } from '../../../preload/contract.js';
import { useAction, useApi, useResource } from '../../api/api.js';
import { ErrorBanner, Name } from '../../ui/ui.js';

/** The engine finishes a login when the browser comes back, not in answer to the page: poll meanwhile. */
const PENDING_POLL_MS = 1_000;

function describeLogin(row: OAuthLoginRow): string {
  if (row.pending) return 'waiting for the browser…';
  if (!row.loggedIn) return 'not logged in';
  if (row.expiresAt === null) return 'logged in (expiry unknown)';
  const when = new Date(row.expiresAt).toLocaleString();
  if (!row.expired) return `logged in (expires ${when})`;
  return row.refreshToken ? `logged in (expired ${when}; refreshed on next use)` : `logged in (expired ${when}; log in again)`;
}

/** DESIGN §6: whether reads carry a token that cannot write. */
function describeSplit(row: OAuthLoginRow): string | null {
  if (!row.loggedIn || row.pending) return null;
  if (row.readScope !== null) return `reads use a read-only token (${row.readScope})`;
  if (row.readTokenMissing) return 'the read-only token is missing: reads go without a token until you log in again';
  return row.noSplit ? `one token for reads and writes: ${row.noSplit}` : null;
}

function LoginRow({ row, busy, logIn, logOut }: { row: OAuthLoginRow; busy: boolean; logIn: () => void; logOut: () => void }) {
  const url = row.pending?.authorizationUrl;
  const split = describeSplit(row);
  return (
    <tr>
      <td><strong><Name value={row.name} /></strong><div className="muted small mono">{row.url}</div></td>
      <td>
        <span>{describeLogin(row)}</span>
        {split ? <div className="muted small">{split}</div> : null}
        {url ? <div className="small"><a href={url} target="_blank" rel="noopener noreferrer">Open the sign-in page again</a></div> : null}
        {row.lastError ? <div className="small banner-error" role="alert">{row.lastError}</div> : null}
      </td>
      <td className="actions-cell">
        {row.loggedIn ? (
          <button type="button" className="btn btn-small btn-danger-quiet" aria-label={`Log out of ${row.name}`} disabled={busy} onClick={logOut}>Log out</button>
        ) : (
          <button type="button" className="btn btn-small" aria-label={`Log in to ${row.name}`} disabled={busy || row.pending !== null} onClick={logIn}>Log in</button>
        )}
      </td>
    </tr>
  );
}

/** Servers pinned to a URL and their OAuth logins: `mcp-firewall auth login|status|logout` from the page. */
export function RemoteLogins() {
  const api = useApi();
  const logins = useResource((a) => a.oauthLogins(), ['registry']);
  const action = useAction(logins.reload);
  const waiting = (logins.data ?? []).some((row) => row.pending !== null);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(logins.reload, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, logins.reload]);

  const logIn = (name: string) => action.run(async () => {
    const started = await api.startOAuthLogin({ name });
    // Inside the desktop app the shell has opened it in the system browser already.
    if (!started.opened) window.open(started.authorizationUrl, '_blank', 'noopener,noreferrer');
  });
  const logOut = (name: string) => action.run(() => api.oauthLogout({ name }));

  const rows = logins.data ?? [];
  if (rows.length === 0 && !logins.error) return null;
  return (
    <section className="card" aria-labelledby="remote-logins">
      <h2 id="remote-logins">Remote server logins (OAuth)</h2>
      <ErrorBanner message={action.error ?? logins.error} />
      {rows.length > 0 ? (
        <table className="table">
          <thead><tr><th scope="col">Server</th><th scope="col">OAuth</th><th scope="col"><span className="sr-only">Login</span></th></tr></thead>
          <tbody>
            {rows.map((row) => <LoginRow key={row.name} row={row} busy={action.busy} logIn={() => void logIn(row.name)} logOut={() => void logOut(row.name)} />)}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
