import { useState } from 'react';
import { useApi, useResource } from '../../api/api.js';

/**
 * The client-config watch's one switch. Off, a new unprotected entry is reported as a
 * shadow server; on, the firewall also rewrites it to run through the shim, because an
 * installer or a sync tool that restores an old config should not silently undo protection.
 */
export function AutoProtectToggle() {
  const api = useApi();
  const setting = useResource((a) => a.autoProtect(), ['registry']);
  const [error, setError] = useState<string | null>(null);
  const enabled = setting.data?.enabled ?? false;
  const toggle = () => {
    api.setAutoProtect({ enabled: !enabled }).then(() => setError(null), (err: Error) => setError(err.message)).finally(setting.reload);
  };
  return (
    <section className="card toggle-row" aria-label="Auto-protect">
      <label className="check">
        <input type="checkbox" checked={enabled} disabled={setting.loading} onChange={toggle} /> <strong>Auto-protect</strong>
      </label>
      <p className="muted small">
        When a server entry that bypasses the firewall appears in a client config, route it through the firewall again automatically (otherwise it is only reported as a shadow server).
      </p>
      {error ? <p className="small status-bad" role="alert">{error}</p> : null}
    </section>
  );
}
