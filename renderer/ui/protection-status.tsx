import { useState } from 'react';
import type { Overview } from '../../preload/contract.js';
import { useApi } from '../api/api.js';

export const PAUSE_MINUTES = 15;

export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** What protects the user right now, in one line, worst first. */
export function protectionLabel(overview: Overview | undefined, unreachable: boolean): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  if (unreachable) return { text: 'Engine unreachable', tone: 'bad' };
  if (!overview) return { text: 'Connecting…', tone: 'warn' };
  if (overview.emergencyWriteApproval) return { text: 'Emergency: all writes need approval', tone: 'warn' };
  if (overview.pausedUntil) return { text: `Paused until ${formatClock(overview.pausedUntil)}`, tone: 'bad' };
  return { text: 'Protection on', tone: 'ok' };
}

/**
 * The sidebar's status with its two switches. Pausing is one click on purpose (the
 * user is in the middle of something and it ends by itself); emergency is the opposite
 * switch: every write waits for a person until it is turned off.
 */
export function ProtectionStatus({ overview, unreachable, reload }: { overview: Overview | undefined; unreachable: boolean; reload: () => void }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = protectionLabel(overview, unreachable);
  const run = (what: () => Promise<unknown>) => {
    setBusy(true);
    what().then(() => setError(null), (err: Error) => setError(err.message)).finally(() => {
      setBusy(false);
      reload();
    });
  };
  const paused = Boolean(overview?.pausedUntil);
  const emergency = overview?.emergencyWriteApproval ?? false;
  return (
    <div className="protection">
      <div className={`status status-${label.tone}`} role="status">{label.text}</div>
      {emergency && paused ? <div className="muted small">Paused until {formatClock(overview!.pausedUntil!)}, but emergency wins: writes still ask.</div> : null}
      {overview ? (
        <div className="protection-actions">
          {paused ? (
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => run(() => api.setPause({ minutes: null }))}>Resume protection</button>
          ) : (
            <button type="button" className="btn btn-small" disabled={busy} aria-label={`Pause protection for ${PAUSE_MINUTES} minutes`}
              title="Nobody is asked for approval until then; denials, the registry and output scanning keep working"
              onClick={() => run(() => api.setPause({ minutes: PAUSE_MINUTES }))}>Pause {PAUSE_MINUTES} min</button>
          )}
          <button type="button" className={`btn btn-small ${emergency ? 'btn-danger' : ''}`} disabled={busy} aria-pressed={emergency}
            title="Every write and destructive call waits for a person, whatever the policy says"
            onClick={() => run(() => api.setEmergency({ enabled: !emergency }))}>{emergency ? 'End emergency' : 'Emergency'}</button>
        </div>
      ) : null}
      {error ? <div className="small status-bad" role="alert">{error}</div> : null}
    </div>
  );
}
