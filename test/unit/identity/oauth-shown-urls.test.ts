import { describe, expect, it } from 'vitest';
import { discoverOAuth, foreignClient } from '../../../main/firewall/identity/oauth-discovery.js';
import { revokeStoredOAuth } from '../../../main/firewall/identity/oauth-revoke.js';
import type { StoredOAuth } from '../../../main/firewall/identity/oauth-secrets.js';
import { storedOAuth } from './stored-oauth.js';

// OAuth's error texts reach `auth login`/`logout`, the dashboard and the audit: a URL in them
// (a pinned server that takes its key in the query, an endpoint a server named) is shown
// without its query values (shown-url.ts).

const KEY = 'sk-live-0a1b2c3d4e5f6a7b';
const notFound = (async () => new Response('no', { status: 404 })) as unknown as typeof fetch;

describe('URLs in OAuth error texts', () => {
  it('a pinned server with its key in the query that publishes no metadata: named without the key', async () => {
    const pinned = `https://mcp.tracker.example/mcp?api_key=${KEY}`;
    const message = await discoverOAuth('plain', { url: pinned, transport: 'http' }, notFound).then(() => 'discovered', (e: unknown) => (e as Error).message);
    expect(message).toContain('at https://mcp.tracker.example/mcp?api_key=… publishes no OAuth metadata');
    expect(message).not.toContain(KEY);
  });

  it('another issuer stamped on the client: both shown without query values', () => {
    const text = foreignClient({ issuer: `https://other.example/?tenant=${KEY}` }, 'https://as.example.test/');
    expect(text).toBe('the stored client belongs to https://other.example/?tenant=…, not https://as.example.test/');
  });

  it('revocation at an endpoint and issuer with query values: reported without them', async () => {
    const issuer = `https://as.example.test/?realm=${KEY}`;
    const stored: StoredOAuth = storedOAuth({
      authorization: 'Bearer at-secret',
      client: { client_id: 'c1' } as StoredOAuth['client'],
      discovery: { authorizationServerUrl: issuer, authorizationServerMetadata: { issuer, revocation_endpoint: `https://as.example.test/revoke?key=${KEY}` } as never },
    });
    const ok = (async () => new Response('{}', { status: 200 })) as unknown as typeof fetch;
    const revoked = await revokeStoredOAuth('s', stored, ok);
    expect(revoked?.message).toBe("revoked the access token of 's' at https://as.example.test/revoke?key=…");
    const failed = await revokeStoredOAuth('s', stored, notFound);
    expect(failed?.message).toContain('may stay valid at https://as.example.test/?realm=… until they expire');
    expect(failed?.message).not.toContain(KEY);
  });
});
