import { describe, expect, it } from 'vitest';
import { useEngine, type RunningEngine } from '../helpers/engine-harness.js';

// `mcp-firewall dashboard --print-url` prints a link that logs a browser in once: a link
// left in shell history, a browser's history or a screenshot must not log anyone in later.

describe('the dashboard login link', () => {
  const engine = useEngine();

  it('is fresh each time, logs in once, and is refused after', async () => {
    const first = engine().cli(['dashboard', '--print-url']).stdout.trim();
    const second = engine().cli(['dashboard', '--print-url']).stdout.trim();
    expect(first).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${engine().port}/\\?token=[\\w-]{43}$`));
    expect(second).not.toBe(first);
    const login = await fetch(first, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(first, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(second, { redirect: 'manual' })).status).toBe(303);
  });

  it('is minted only for the bearer token, never for a browser session', async () => {
    const refused = await fetch(`http://127.0.0.1:${engine().port}/api/login-url`, { method: 'POST' });
    expect(refused.status).toBe(401);
  });
});

// A session cookie copied out of a browser profile (or read by someone else at the machine)
// must stop working when its owner logs out or runs `dashboard logout-all`, not at the next restart.

describe('dashboard sessions', () => {
  const engine = useEngine();
  const base = () => `http://127.0.0.1:${engine().port}`;

  /** Logs a browser in through a fresh login link; its cookie as the browser sends it back. */
  async function logIn(running: RunningEngine): Promise<string> {
    const link = running.cli(['dashboard', '--print-url']).stdout.trim();
    const login = await fetch(link, { redirect: 'manual' });
    expect(login.status).toBe(303);
    return login.headers.get('set-cookie')!.split(';')[0]!;
  }
  const overview = (cookie: string) => fetch(`${base()}/api/dashboard/overview`, { method: 'POST', headers: { cookie, 'x-mcp-firewall-dashboard': '1' } });
  const logOut = (cookie: string, headers: Record<string, string> = { 'x-mcp-firewall-dashboard': '1' }) => fetch(`${base()}/api/logout`, { method: 'POST', headers: { cookie, ...headers } });

  it('gives each login a cookie of its own, which expires with its session', async () => {
    const first = await logIn(engine());
    const second = await logIn(engine());
    expect(first).toMatch(new RegExp(`^mcpfw_session_${engine().port}=[\\w-]{43}$`));
    expect(second).not.toBe(first);
    const link = engine().cli(['dashboard', '--print-url']).stdout.trim();
    expect((await fetch(link, { redirect: 'manual' })).headers.get('set-cookie')).toMatch(/; Max-Age=43200$/);
    expect((await overview(first)).status).toBe(200);
    expect((await overview(second)).status).toBe(200);
  });

  it('ends only this browser\'s session on logout, and refuses its cookie after', async () => {
    const mine = await logIn(engine());
    const other = await logIn(engine());
    const out = await logOut(mine);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ loggedOut: true });
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^mcpfw_session_${engine().port}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0$`));
    expect((await overview(mine)).status).toBe(401);
    expect((await fetch(`${base()}/`, { headers: { cookie: mine } })).status).toBe(401);
    expect((await overview(other)).status).toBe(200);
  });

  it('ends a browser\'s old session when it logs in again', async () => {
    const old = await logIn(engine());
    const link = engine().cli(['dashboard', '--print-url']).stdout.trim();
    const again = await fetch(link, { redirect: 'manual', headers: { cookie: old } });
    const fresh = again.headers.get('set-cookie')!.split(';')[0]!;
    expect((await overview(old)).status).toBe(401);
    expect((await overview(fresh)).status).toBe(200);
  });

  it('refuses a logout without the dashboard header (a cross-site form cannot set it)', async () => {
    const cookie = await logIn(engine());
    const forged = await logOut(cookie, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('set-cookie')).toBeNull();
    expect((await overview(cookie)).status).toBe(200);
  });

  it('ends every session with `dashboard logout-all`, which only the bearer token may ask', async () => {
    const cookies = [await logIn(engine()), await logIn(engine())];
    const asBrowser = await fetch(`${base()}/api/logout-all`, { method: 'POST', headers: { cookie: cookies[0]!, 'x-mcp-firewall-dashboard': '1' } });
    expect(asBrowser.status).toBe(404);
    expect((await overview(cookies[0]!)).status).toBe(200);
    const result = engine().cli(['dashboard', 'logout-all']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Ended \d+ dashboard sessions\. A browser logs in again with: mcp-firewall dashboard\n$/);
    for (const cookie of cookies) expect((await overview(cookie)).status).toBe(401);
    expect(engine().cli(['dashboard', 'logout-all']).stdout).toMatch(/^Ended 0 dashboard sessions\./);
  });
});
