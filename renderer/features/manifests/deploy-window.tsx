import { useState } from 'react';
import type { DeployWindowView } from '../../../preload/contract.js';
import { formatDateTime } from '../../ui/ui.js';

const SPANS = [30, 60, 120, 240];

/** A declared change window: drift inside it is recorded, not blocked, so a planned release does not page anyone. */
export function DeployWindowBar({ window, busy, onOpen, onClose }: {
  window: DeployWindowView | null; busy: boolean; onOpen: (ticket: string, minutes: number) => void; onClose: () => void;
}) {
  const [ticket, setTicket] = useState('');
  const [minutes, setMinutes] = useState(60);
  if (window?.open) {
    return (
      <section className="card window window-open" aria-label="Deploy window">
        <div>
          <h2>Deploy window open · <span className="mono">{window.ticket}</span></h2>
          <p className="muted small">Until {formatDateTime(window.until)}. Drift is recorded in the audit trail, not blocked. Close it when the release is done.</p>
        </div>
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={onClose}>Close window</button>
      </section>
    );
  }
  return (
    <form className="card window" aria-label="Deploy window" onSubmit={(e) => {
      e.preventDefault();
      if (ticket.trim()) onOpen(ticket.trim(), minutes);
    }}>
      <div>
        <h2>Deploy window closed</h2>
        <p className="muted small">Any change to a pinned tool is held here until you accept it. Shipping a server update? Open a window with its change ticket.</p>
      </div>
      <div className="window-form">
        <label>Change ticket<input value={ticket} onChange={(e) => setTicket(e.target.value)} placeholder="CHG-1234" maxLength={200} /></label>
        <label>For<select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {SPANS.map((m) => <option key={m} value={m}>{m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? '' : 's'}`}</option>)}
        </select></label>
        <button type="submit" className="btn" disabled={busy || !ticket.trim()}>Open window</button>
      </div>
    </form>
  );
}
