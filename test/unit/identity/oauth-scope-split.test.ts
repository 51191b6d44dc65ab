import { describe, expect, it } from 'vitest';
import { readTokenAtLogin } from '../../../main/firewall/identity/oauth-read-token.js';
import { classifyScope, splitScopes, widerThanAsked } from '../../../main/firewall/identity/oauth-scope-split.js';

// Which OAuth grants get a read-only token beside the full one (DESIGN §6): only those
// whose every scope is plainly read-only, plainly write, or OpenID's own.

describe('classifyScope', () => {
  it('knows the common read-only and write spellings', () => {
    for (const scope of ['read', 'mcp:read', 'read:org', 'issues.read', 'https://www.googleapis.com/auth/drive.readonly', 'files:readonly', 'Files.Read']) expect(classifyScope(scope), scope).toBe('read');
    for (const scope of ['write', 'mcp:write', 'write:org', 'issues.write', 'read:write']) expect(classifyScope(scope), scope).toBe('write');
    for (const scope of ['openid', 'offline_access', 'email']) expect(classifyScope(scope), scope).toBe('neutral');
  });

  it('calls no scope with characters a scope name does not have a read (it would become the readScope shown in status and the audit)', () => {
    for (const scope of ['read:$(id)', 'mcp:read\u001b[2J', 'read:"x"', `read:${'x'.repeat(200)}`]) expect(classifyScope(scope), scope).toBeNull();
    expect(splitScopes('read:$(id) mcp:write', true)).toEqual({ reason: 'a granted scope with unusual characters is neither plainly read-only nor plainly write' });
  });

  it('calls nothing else a read, and nothing that also says more', () => {
    for (const scope of ['repo', 'admin:org', 'mcp:tools', 'https://www.googleapis.com/auth/drive', 'Files.ReadWrite.All', 'read:admin', 'readonly.delete', 'reader', 'unread']) expect(classifyScope(scope), scope).toBeNull();
  });
});

describe('splitScopes', () => {
  it('narrows to the read-only and OpenID scopes of a grant that splits plainly', () => {
    expect(splitScopes('mcp:read mcp:write', true)).toEqual({ readScope: 'mcp:read' });
    expect(splitScopes('openid read:jira write:jira read:confluence offline_access', true)).toEqual({ readScope: 'openid read:jira read:confluence offline_access' });
  });

  it('does not split when in doubt, and says why', () => {
    expect(splitScopes('repo read:org write:org', true)).toEqual({ reason: 'the granted scope repo is neither plainly read-only nor plainly write' });
    expect(splitScopes('mcp:read', true)).toEqual({ reason: 'only read-only scopes were granted (mcp:read): the one token cannot write' });
    expect(splitScopes('mcp:write', true)).toEqual({ reason: 'no read-only scope among those granted (mcp:write)' });
    expect(splitScopes(undefined, true)).toMatchObject({ reason: expect.stringContaining('named no scopes') });
    expect(splitScopes('mcp:read mcp:write', false)).toEqual({ reason: 'the authorization server issued no refresh token, which a read-only token is obtained with' });
    // A scope a terminal should not be shown is not repeated.
    expect(splitScopes('mcp:read mcp:write $(id)', true)).toEqual({ reason: 'a granted scope with unusual characters is neither plainly read-only nor plainly write' });
    expect(splitScopes('repo gist read:org', true)).toEqual({ reason: 'the granted scopes repo gist are neither plainly read-only nor plainly write' });
  });
});

describe('widerThanAsked', () => {
  const tokens = (scope?: string) => ({ access_token: 'a', token_type: 'bearer', ...(scope !== undefined ? { scope } : {}) });
  it('accepts a token as narrow as asked', () => {
    expect(widerThanAsked('mcp:read', tokens('mcp:read'))).toBeNull();
    expect(widerThanAsked('mcp:read openid', tokens('openid'))).toBeNull();
  });
  it('refuses one that does not say what it was granted: a server ignoring the narrowing says nothing either', () => {
    for (const unsaid of [tokens(), tokens(''), tokens('  ')]) expect(widerThanAsked('mcp:read', unsaid)).toMatch(/did not say which scope/);
  });
  it('refuses one granted more', () => {
    expect(widerThanAsked('mcp:read', tokens('mcp:read mcp:write'))).toBe('the authorization server granted more than the read-only scope asked for (mcp:write)');
  });
});

describe('readTokenAtLogin', () => {
  const request = (answer: Response) => ({
    tokens: { access_token: 'at-full', token_type: 'bearer', refresh_token: 'rt-secret', scope: 'mcp:read mcp:write' },
    granted: 'mcp:read mcp:write',
    discovery: { authorizationServerUrl: 'https://as.test/', authorizationServerMetadata: { issuer: 'https://as.test/', authorization_endpoint: 'https://as.test/authorize', token_endpoint: 'https://as.test/token', response_types_supported: ['code'] } },
    client: { client_id: 'c1' },
    fetch: (async () => answer) as unknown as typeof fetch,
    now: 0,
  });

  it('a refused narrowing leaves one token, and keeps only the OAuth error code (the server could echo a token)', async () => {
    const refused = await readTokenAtLogin(request(Response.json({ error: 'invalid_scope', error_description: 'no, rt-secret' }, { status: 400 })));
    expect(refused).toEqual({ secrets: {}, marker: { mcpFirewallNoSplit: 'the authorization server refused a token narrowed to mcp:read (invalid_scope)' } });
  });

  it('a narrowed answer that does not say its scope is unverified: no split, the rotated refresh token kept', async () => {
    for (const scope of [undefined, '']) {
      const answer = { access_token: 'at-read', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-next', ...(scope !== undefined ? { scope } : {}) };
      expect(await readTokenAtLogin(request(Response.json(answer)))).toEqual({
        secrets: { OAUTH_REFRESH_TOKEN: 'rt-next' },
        marker: { mcpFirewallNoSplit: expect.stringContaining('did not say which scope') },
      });
    }
  });

  it('the full access token given back for the narrowed request is no read-only token', async () => {
    const same = await readTokenAtLogin(request(Response.json({ access_token: 'at-full', token_type: 'Bearer', scope: 'mcp:read', refresh_token: 'rt-next' })));
    expect(same).toEqual({ secrets: { OAUTH_REFRESH_TOKEN: 'rt-next' }, marker: { mcpFirewallNoSplit: expect.stringContaining('full access token') } });
  });

  it('a token type the server chose is not repeated', async () => {
    const odd = await readTokenAtLogin(request(Response.json({ access_token: 'at-read', token_type: 'evil rt-secret', scope: 'mcp:read', refresh_token: 'rt-next' })));
    expect(odd).toEqual({ secrets: { OAUTH_REFRESH_TOKEN: 'rt-next' }, marker: { mcpFirewallNoSplit: 'the authorization server issued a token that is not a Bearer token; only Bearer tokens are supported' } });
  });

  it('a granted narrowing becomes AUTHORIZATION_READ, with the refresh token it rotated to', async () => {
    const granted = await readTokenAtLogin(request(Response.json({ access_token: 'at-read', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-next', scope: 'mcp:read' })));
    expect(granted).toEqual({
      secrets: { AUTHORIZATION_READ: 'Bearer at-read', OAUTH_READ_EXPIRES_AT: new Date(60_000).toISOString(), OAUTH_REFRESH_TOKEN: 'rt-next' },
      marker: { mcpFirewallReadScope: 'mcp:read' },
    });
  });
});
