import { describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/engine-harness.js';

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
