import { describe, expect, it } from 'vitest';
import { discoverOAuth } from '../../../main/firewall/identity/oauth-discovery.js';
import { guardedOAuthFetch, OAuthOriginError } from '../../../main/firewall/identity/oauth-fetch.js';
import { refreshStoredOAuth } from '../../../main/firewall/identity/oauth-refresh.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { storedOAuth } from './stored-oauth.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// Where OAuth may go: the pinned server's origin, the authorization server its metadata
// names, that server's own endpoints — https only (plain http on this machine) — and
// nowhere a document from elsewhere points. A fake network records every request.

const PINNED = 'https://mcp.tracker.example/mcp';
const AS = 'https://auth.tracker.example';

type Routes = Record<string, () => Response>;
const json = (body: unknown, init: ResponseInit = {}) => () => new Response(JSON.stringify(body), { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
const challenge = (metadataUrl: string) => () => new Response('{}', { status: 401, headers: { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${metadataUrl}"` } });

function network(routes: Routes) {
  const asked: string[] = [];
  const fetchFn = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    asked.push(url);
    return (routes[url] ?? (() => new Response('not found', { status: 404 })))();
  }) as typeof fetch;
  return { fetchFn, asked };
}

const asMetadata = (overrides: Record<string, unknown> = {}) =>
  json({ issuer: `${AS}/`, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token`, registration_endpoint: `${AS}/register`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'], ...overrides });

const wellBehaved = (overrides: Routes = {}): Routes => ({
  [PINNED]: challenge('https://mcp.tracker.example/.well-known/oauth-protected-resource/mcp'),
  'https://mcp.tracker.example/.well-known/oauth-protected-resource/mcp': json({ resource: PINNED, authorization_servers: [`${AS}/`] }),
  [`${AS}/.well-known/oauth-authorization-server`]: asMetadata(),
  ...overrides,
});

describe('OAuth discovery for a pinned server', () => {
  it('follows challenge → resource metadata → authorization server, and allows exactly those origins', async () => {
    const { fetchFn } = network(wellBehaved());
    const found = await discoverOAuth('tracker', { url: PINNED, transport: 'http' }, fetchFn);
    expect(found.state.authorizationServerUrl).toBe(`${AS}/`);
    expect(found.state.resourceMetadata?.resource).toBe(PINNED);
    expect([...found.origins].sort()).toEqual(['https://auth.tracker.example', 'https://mcp.tracker.example']);
  });

  it('refuses resource metadata on another origin, without asking it', async () => {
    const { fetchFn, asked } = network(wellBehaved({ [PINNED]: challenge('https://evil.example/.well-known/oauth-protected-resource') }));
    await expect(discoverOAuth('tracker', { url: PINNED, transport: 'http' }, fetchFn)).rejects.toThrow(OAuthOriginError);
    expect(asked.some((u) => u.startsWith('https://evil.example'))).toBe(false);
  });

  it('refuses an authorization server over plain http off this machine', async () => {
    const { fetchFn, asked } = network(wellBehaved({ 'https://mcp.tracker.example/.well-known/oauth-protected-resource/mcp': json({ resource: PINNED, authorization_servers: ['http://auth.tracker.example/'] }) }));
    await expect(discoverOAuth('tracker', { url: PINNED, transport: 'http' }, fetchFn)).rejects.toThrow(/not https/);
    expect(asked.some((u) => u.startsWith('http://auth.'))).toBe(false);
  });

  it('refuses metadata that names another issuer (mix-up) and endpoints over plain http', async () => {
    const mixUp = network(wellBehaved({ [`${AS}/.well-known/oauth-authorization-server`]: asMetadata({ issuer: 'https://other.example/' }) }));
    await expect(discoverOAuth('tracker', { url: PINNED, transport: 'http' }, mixUp.fetchFn)).rejects.toThrow(/names another issuer/);
    const cleartext = network(wellBehaved({ [`${AS}/.well-known/oauth-authorization-server`]: asMetadata({ token_endpoint: 'http://auth.tracker.example/token' }) }));
    await expect(discoverOAuth('tracker', { url: PINNED, transport: 'http' }, cleartext.fetchFn)).rejects.toThrow(/not https/);
  });

  it('names the static-token fix for a server that publishes no OAuth metadata at all', async () => {
    const { fetchFn } = network({ [PINNED]: () => new Response('no', { status: 401 }) });
    await expect(discoverOAuth('plain', { url: PINNED, transport: 'http' }, fetchFn)).rejects.toThrow(/publishes no OAuth metadata.*secrets set plain AUTHORIZATION/);
  });
});

describe('the OAuth fetch guard', () => {
  it('reaches only the allowed origins, never follows redirects itself, and allows plain http only on loopback', async () => {
    const { fetchFn, asked } = network({});
    let redirect: RequestInit['redirect'];
    const spy = (async (input: string | URL | Request, init?: RequestInit) => {
      redirect = init?.redirect;
      return fetchFn(input, init);
    }) as typeof fetch;
    const guarded = guardedOAuthFetch(new Set(['https://auth.tracker.example', 'http://127.0.0.1:4000']), spy);
    await guarded('https://auth.tracker.example/token', { method: 'POST' });
    expect(redirect).toBe('manual');
    await guarded('http://127.0.0.1:4000/token');
    await expect(guarded('https://evil.example/token')).rejects.toThrow(/refused an OAuth request to https:\/\/evil.example/);
    await expect(guarded('http://auth.tracker.example/token')).rejects.toThrow(/not https/);
    expect(asked).toEqual(['https://auth.tracker.example/token', 'http://127.0.0.1:4000/token']);
  });

  it('reads an answer up to 1 MiB, and errors the read of a longer one instead of holding it', async () => {
    let pulled = 0;
    const endless = (async () => new Response(new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    }, { highWaterMark: 0 }), { headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const guarded = guardedOAuthFetch(new Set(['https://auth.tracker.example']), endless);
    await expect((await guarded('https://auth.tracker.example/.well-known/oauth-authorization-server')).json()).rejects.toThrow(/larger than 1024 KiB/);
    expect(pulled).toBeLessThan(40);
    const small = guardedOAuthFetch(new Set(['https://auth.tracker.example']), (async () => new Response('{"issuer":"https://auth.tracker.example"}', { status: 200 })) as typeof fetch);
    expect(await (await small('https://auth.tracker.example/x')).json()).toEqual({ issuer: 'https://auth.tracker.example' });
  });

  it('keeps the method, headers, body and signal of a Request it is given (and init still wins)', async () => {
    const seen: Array<{ url: string; method: string; headers: Record<string, string>; body: string; redirect: Request['redirect']; aborted: boolean }> = [];
    const spy = (async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      seen.push({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers), body: await request.text(), redirect: request.redirect, aborted: request.signal.aborted });
      return new Response('{}');
    }) as typeof fetch;
    const guarded = guardedOAuthFetch(new Set(['https://auth.tracker.example']), spy);
    const abort = new AbortController();
    abort.abort();
    const request = new Request('https://auth.tracker.example/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-probe': '1' }, body: 'grant_type=refresh_token', signal: abort.signal });
    await guarded(request);
    await guarded(new Request('https://auth.tracker.example/token', { method: 'POST', headers: { 'x-probe': '1' }, body: 'a=1' }), { headers: { 'x-probe': '2' } });
    expect(seen).toEqual([
      { url: 'https://auth.tracker.example/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-probe': '1' }, body: 'grant_type=refresh_token', redirect: 'manual', aborted: true },
      // As fetch(request, init) has it: init's headers replace the request's.
      { url: 'https://auth.tracker.example/token', method: 'POST', headers: { 'x-probe': '2' }, body: 'a=1', redirect: 'manual', aborted: false },
    ]);
    // The guard still applies to a Request.
    await expect(guarded(new Request('https://evil.example/token', { method: 'POST', body: 'x' }))).rejects.toThrow(/refused an OAuth request/);
  });

  it("never presents a refresh token to a server other than the client's", async () => {
    const { fetchFn, asked } = network({});
    const store = createMemorySecretStore();
    const stored = storedOAuth({
      authorization: 'Bearer old',
      refreshToken: 'rt-secret',
      client: { client_id: 'c1', issuer: 'https://auth.tracker.example/' },
      discovery: { authorizationServerUrl: 'https://elsewhere.example/' },
    });
    await expect(refreshStoredOAuth(stored, { server: 'tracker', lock: noCredentialsLock, store, fetch: fetchFn })).rejects.toThrow(/belongs to https:\/\/auth.tracker.example/);
    expect(asked).toEqual([]);
  });
});
