import { useEffect, useState } from 'react';
import { logOut } from '../../api/browser-session.js';
import { Code } from '../../ui/ui.js';

/** The sidebar's "Log out": a browser left open (a shared machine) should not stay logged in. */
export function LogOutButton({ onLoggedOut }: { onLoggedOut: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setBusy(true);
    logOut().then(onLoggedOut, (err: Error) => {
      setError(err.message);
      setBusy(false);
    });
  };
  return (
    <div className="log-out">
      <button type="button" className="btn btn-small" aria-label="Log out of the dashboard" disabled={busy} onClick={run}
        title="Ends this browser's session in the engine; the dashboard asks for a new login link after">Log out</button>
      {error ? <div className="small status-bad" role="alert">{error}</div> : null}
    </div>
  );
}

export function LoggedOut() {
  useEffect(() => {
    document.title = 'Logged out · MCP Firewall';
  }, []);
  return (
    <main id="main" className="logged-out">
      <h1>Logged out</h1>
      <p>This browser's dashboard session has ended; its cookie no longer opens the dashboard.</p>
      <p>To open it again, run <Code>mcp-firewall dashboard</Code> (or <Code>mcp-firewall dashboard --print-url</Code> for a login link).</p>
    </main>
  );
}
