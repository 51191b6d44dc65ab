import type { IncomingMessage } from 'node:http';
import { SESSION_LIFETIME_MS } from './dashboard-sessions.js';

// The browser never holds the bearer token itself: the login URL carries a one-time key
// (dashboard-logins.ts), and the cookie a random session id (dashboard-sessions.ts) that a
// logout, `dashboard logout-all` or a restart of the engine ends. Neither is a bearer token.

/** Cookies are shared by every port of 127.0.0.1: the port in the name keeps two engines apart. */
export const sessionCookieName = (port: number): string => `mcpfw_session_${port}`;

/**
 * The header the dashboard's fetches carry. A cross-site form or <img> cannot set it, and
 * a cross-origin fetch that sets it needs a CORS preflight we never answer: CSRF defence on
 * top of SameSite=Strict.
 */
export const DASHBOARD_HEADER = 'x-mcp-firewall-dashboard';

export function loginUrl(port: number, key: string): string {
  return `http://127.0.0.1:${port}/?token=${key}`;
}

export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

const COOKIE_FLAGS = 'HttpOnly; SameSite=Strict; Path=/';

export function sessionCookie(port: number, sessionId: string): string {
  return `${sessionCookieName(port)}=${sessionId}; ${COOKIE_FLAGS}; Max-Age=${SESSION_LIFETIME_MS / 1000}`;
}

/** Tells the browser to drop the cookie of an ended session. */
export function clearedSessionCookie(port: number): string {
  return `${sessionCookieName(port)}=; ${COOKIE_FLAGS}; Max-Age=0`;
}
