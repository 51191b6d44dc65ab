/** Inside Electron the preload bridge answers and there is no browser session to end. */
export const inBrowser = (): boolean => !window.mcpFirewall;

/**
 * Ends this browser's dashboard session in the engine and drops its cookie. The header is
 * the CSRF guard the engine requires of every cookie-authenticated request.
 */
export async function logOut(): Promise<void> {
  const response = await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-mcp-firewall-dashboard': '1' } });
  // 401: the session had already ended (logout-all, a restart, 12 hours): logged out all the same.
  if (response.ok || response.status === 401) return;
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  throw new Error(payload.error ?? `logout failed: HTTP ${response.status}`);
}
