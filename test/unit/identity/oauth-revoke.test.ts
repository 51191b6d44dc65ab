import { describe, expect, it } from 'vitest';
import { revokeStoredOAuth } from '../../../main/firewall/identity/oauth-revoke.js';
import type { StoredOAuth } from '../../../main/firewall/identity/oauth-secrets.js';
import { storedOAuth } from './stored-oauth.js';

// Token revocation at logout (RFC 7009), with fetch stubbed: what is sent where, and that
// every refusal (an endpoint the rules forbid, another server's client, a redirect, an
// error) is a reported failure, never a token in the message and never a request elsewhere.

const AS = 'https://as.example.test/';
const stored = (metadata: Record<string, unknown> | undefined, client: Record<string, unknown> = { client_id: 'c1' }): StoredOAuth =>
  storedOAuth({
    authorization: 'Bearer at-secret',
    refreshToken: 'rt-secret',
    client: client as StoredOAuth['client'],
    discovery: { authorizationServerUrl: AS, ...(metadata ? { authorizationServerMetadata: { issuer: AS, ...metadata } as never } : {}) },
  });

function recorder(answer: () => Response = () => new Response('{}', { status: 200 })) {
  const asked: Array<{ url: string; method: string | undefined; body: string; redirect: RequestInit['redirect'] }> = [];
  const fetchFn = (async (url: URL, init: RequestInit) => {
    asked.push({ url: String(url), method: init.method, body: String(init.body), redirect: init.redirect });
    return answer();
  }) as typeof fetch;
  return { asked, fetchFn };
}

describe('revokeStoredOAuth', () => {
  it('posts the refresh token, then the access token, with hints and the client_id, to the named endpoint', async () => {
    const { asked, fetchFn } = recorder();
    const outcome = await revokeStoredOAuth('s', stored({ revocation_endpoint: 'https://as.example.test/oauth/revoke' }), fetchFn);
    expect(outcome).toEqual({ status: 'revoked', message: "revoked the refresh token and the access token of 's' at https://as.example.test/oauth/revoke" });
    expect(asked).toEqual([
      { url: 'https://as.example.test/oauth/revoke', method: 'POST', body: 'token=rt-secret&token_type_hint=refresh_token&client_id=c1', redirect: 'manual' },
      { url: 'https://as.example.test/oauth/revoke', method: 'POST', body: 'token=at-secret&token_type_hint=access_token&client_id=c1', redirect: 'manual' },
    ]);
  });

  it('a server that names no revocation endpoint: reported as such, nothing sent', async () => {
    const { asked, fetchFn } = recorder();
    const outcome = await revokeStoredOAuth('s', stored({}), fetchFn);
    expect(outcome?.status).toBe('unsupported');
    expect(outcome?.message).toMatch(/offers no token revocation.*may stay valid at https:\/\/as\.example\.test\/ until they expire/);
    expect(asked).toEqual([]);
  });

  it('refuses a plain-http endpoint off this machine, and a client registered with another server, without sending anything', async () => {
    const { asked, fetchFn } = recorder();
    const cleartext = await revokeStoredOAuth('s', stored({ revocation_endpoint: 'http://as.example.test/revoke' }), fetchFn);
    expect(cleartext).toMatchObject({ status: 'failed', message: expect.stringMatching(/refused the revocation endpoint: http:\/\/as\.example\.test is not https/) });
    const foreign = await revokeStoredOAuth('s', stored({ revocation_endpoint: 'https://as.example.test/revoke' }, { client_id: 'c1', issuer: 'https://other.example.test/' }), fetchFn);
    expect(foreign).toMatchObject({ status: 'failed', message: expect.stringMatching(/belongs to https:\/\/other\.example\.test\//) });
    expect(asked).toEqual([]);
  });

  it('a redirect or an error is a failure naming the status and error code, never what else the server said', async () => {
    const redirect = recorder(() => new Response(null, { status: 302, headers: { location: 'https://evil.example.test/' } }));
    expect(await revokeStoredOAuth('s', stored({ revocation_endpoint: 'https://as.example.test/revoke' }), redirect.fetchFn)).toMatchObject({ status: 'failed', message: expect.stringContaining('refresh token: HTTP 302; access token: HTTP 302') });
    expect(redirect.asked.map((a) => a.url)).toEqual(['https://as.example.test/revoke', 'https://as.example.test/revoke']);
    const echo = recorder(() => Response.json({ error: 'unsupported_token_type', error_description: 'token at-secret rt-secret' }, { status: 400 }));
    const outcome = await revokeStoredOAuth('s', stored({ revocation_endpoint: 'https://as.example.test/revoke' }), echo.fetchFn);
    expect(outcome?.message).toContain('HTTP 400 unsupported_token_type');
    expect(outcome?.message).not.toMatch(/at-secret|rt-secret/);
  });

  it("revokes a split login's read-only token too, after the other two", async () => {
    const { asked, fetchFn } = recorder();
    const split = { ...stored({ revocation_endpoint: 'https://as.example.test/revoke' }), readScope: 'mcp:read', readAuthorization: 'Bearer at-read-secret' };
    const outcome = await revokeStoredOAuth('s', split, fetchFn);
    expect(outcome).toEqual({ status: 'revoked', message: "revoked the refresh token, the access token and the read-only access token of 's' at https://as.example.test/revoke" });
    expect(asked.map((a) => a.body)).toEqual([
      'token=rt-secret&token_type_hint=refresh_token&client_id=c1',
      'token=at-secret&token_type_hint=access_token&client_id=c1',
      'token=at-read-secret&token_type_hint=access_token&client_id=c1',
    ]);
  });

  it('nothing to revoke without tokens', async () => {
    const { fetchFn } = recorder();
    expect(await revokeStoredOAuth('s', { ...stored({ revocation_endpoint: 'https://as.example.test/revoke' }), authorization: undefined, refreshToken: undefined }, fetchFn)).toBeNull();
  });
});
