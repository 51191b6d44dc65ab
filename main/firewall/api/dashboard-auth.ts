import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { tokensEqual } from './http-util.js';

// The browser never holds the bearer token itself: the login URL carries a one-time key
// (dashboard-logins.ts), and the cookie a key derived for the session, which changes
// whenever the engine restarts (new token). Neither can be used as a bearer token.

const derive = (token: string, purpose: string) => createHmac('sha256', token).update(`mcp-firewall dashboard ${purpose}`).digest('base64url');

export const dashboardSessionKey = (token: string): string => derive(token, 'session');

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

export function hasSession(req: IncomingMessage, port: number, token: string): boolean {
  const value = readCookie(req, sessionCookieName(port));
  return value !== null && tokensEqual(value, dashboardSessionKey(token));
}

export function sessionCookie(port: number, token: string): string {
  return `${sessionCookieName(port)}=${dashboardSessionKey(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
