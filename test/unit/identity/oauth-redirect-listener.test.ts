import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listenForRedirect, RedirectTimeoutError } from '../../../main/firewall/identity/oauth-redirect-listener.js';

const STATE = 'the-state-this-login-made';

const callback = (redirectUrl: string, params: Record<string, string>) => {
  const url = new URL(redirectUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return fetch(url);
};
const pending = async (promise: Promise<unknown>) => (await Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 50))])) === 'pending';

describe('the loopback redirect listener of auth login', () => {
  it('listens on 127.0.0.1 and takes the one redirect with our state; then it is gone', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    expect(listener.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const answer = await callback(listener.redirectUrl, { code: 'the-code', state: STATE });
    expect(answer.status).toBe(200);
    expect(await listener.code).toBe('the-code');
    await listener.close();
    await expect(callback(listener.redirectUrl, { code: 'again', state: STATE })).rejects.toThrow(); // closed
  });

  it('refuses a wrong or missing state (and other paths) without settling: the login keeps waiting', async () => {
    const refused: string[] = [];
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000, onRefused: (why) => refused.push(why) });
    try {
      expect((await callback(listener.redirectUrl, { code: 'attacker-code', state: 'guessed' })).status).toBe(400);
      expect((await callback(listener.redirectUrl, { code: 'attacker-code' })).status).toBe(400);
      expect((await callback(listener.redirectUrl, { error: 'access_denied', state: 'guessed' })).status).toBe(400);
      expect((await fetch(new URL('/favicon.ico', listener.redirectUrl))).status).toBe(404);
      expect(await pending(listener.code)).toBe(true);
      expect(refused).toHaveLength(3);
      expect((await callback(listener.redirectUrl, { code: 'the-code', state: STATE })).status).toBe(200);
      expect(await listener.code).toBe('the-code');
    } finally {
      await listener.close();
    }
  });

  it('sends every page as plain text the browser may not sniff into anything else (nosniff, no-store)', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    try {
      // The pages echo what the redirect carried (an error description): never as HTML.
      const answers = [
        await fetch(new URL('/elsewhere', listener.redirectUrl)),
        await callback(listener.redirectUrl, { code: 'x', state: 'guessed' }),
        await callback(listener.redirectUrl, { error: '<script>alert(1)</script>', state: STATE }),
      ];
      for (const answer of answers) {
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(answer.headers.get('cache-control')).toBe('no-store');
      }
      await expect(listener.code).rejects.toThrow(/refused/);
    } finally {
      await listener.close();
    }
  });

  it("reports the authorization server's refusal when it carries our state", async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    await callback(listener.redirectUrl, { error: 'access_denied', error_description: 'the user said no', state: STATE });
    await expect(listener.code).rejects.toThrow(/^the authorization server refused: access_denied$/);
  });

  it("never repeats the server's own text: an error that is no OAuth code is named, not quoted", async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    await callback(listener.redirectUrl, { error: '\u001b[2Jaccess_denied', error_description: 'token=abc', state: STATE });
    await expect(listener.code).rejects.toThrow(/^the authorization server refused: an error that is no OAuth error code$/);
  });

  it('gives up after its timeout', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 100 });
    await expect(listener.code).rejects.toBeInstanceOf(RedirectTimeoutError);
  });

  it('takes the port a stored client registered, and another when that one is taken', async () => {
    const first = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    const port = Number(new URL(first.redirectUrl).port);
    await first.close();
    const again = await listenForRedirect({ state: STATE, timeoutMs: 5_000, preferredPort: port });
    expect(Number(new URL(again.redirectUrl).port)).toBe(port);
    const busy = await listenForRedirect({ state: STATE, timeoutMs: 5_000, preferredPort: port });
    expect(Number(new URL(busy.redirectUrl).port)).not.toBe(port);
    await Promise.all([again.close(), busy.close()]);
  });

  it("is not reachable on the machine's other addresses", async () => {
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!outside) return; // a machine with loopback only has nothing to show here
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 5_000 });
    try {
      const port = new URL(listener.redirectUrl).port;
      await expect(fetch(`http://${outside}:${port}/callback?code=x&state=${STATE}`)).rejects.toThrow();
      expect(await pending(listener.code)).toBe(true);
    } finally {
      await listener.close();
    }
  });
});
