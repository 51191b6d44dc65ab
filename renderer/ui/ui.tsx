import type { ReactNode } from 'react';
import { oneLineName } from '../../preload/visible-text.js';

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

/** What a new user sees first: what this page is for and the one thing to do next. */
export function EmptyState({ title, children, icon = '○' }: { title: string; children: ReactNode; icon?: string }) {
  return (
    <section className="empty" aria-label={title}>
      <div className="empty-icon" aria-hidden="true">{icon}</div>
      <h2>{title}</h2>
      <div className="empty-body">{children}</div>
    </section>
  );
}

const TONES: Record<string, string> = {
  ALLOW: 'ok', PASS: 'ok', APPROVED: 'ok', ENABLED: 'ok', RELOADED: 'ok', protected: 'ok', ACCEPTED: 'ok',
  DENY: 'bad', ERROR: 'bad', TIMEOUT: 'bad', REJECTED: 'bad', DISABLED: 'bad', shadow: 'bad', destructive: 'bad',
  released: 'ok', delivered: 'ok', poisoned: 'bad', drifted: 'warn', held: 'warn', new: 'info',
  PAGING: 'bad', OK: 'ok', PAUSED: 'warn', RESUMED: 'ok', SHADOW_ENTRY: 'bad',
  REQUIRE_APPROVAL: 'warn', CANCELLED: 'info', EMERGENCY_ON: 'warn', REDACT: 'warn', QUARANTINE: 'warn', write: 'warn', registered: 'info', read: 'info',
};

export function Badge({ value, title }: { value: string; title?: string }) {
  return <span className={`badge badge-${TONES[value] ?? 'neutral'}`} title={title}>{value.replace(/_/g, ' ').toLowerCase()}</span>;
}

export function ErrorBanner({ message }: { message: string | null }) {
  if (!message) return null;
  return <div className="banner banner-error" role="alert">{message}</div>;
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd>{children}</kbd>;
}

export function Code({ children }: { children: ReactNode }) {
  return <code className="inline-code">{children}</code>;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A name that came from a server or a client config (server, tool): invisible and bidi characters
 * spelled out (line breaks too: a name is one line) and the text isolated, so it can neither hide
 * a character nor reorder what follows it. Shown whole: the page wraps it.
 */
export function Name({ value }: { value: string }) {
  const shown = oneLineName(value, Infinity);
  return <bdi className={shown === value ? 'name' : 'name name-flagged'} title={shown === value ? undefined : 'This name contains invisible or direction-changing characters'}>{shown}</bdi>;
}
