import { describe, expect, it } from 'vitest';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { bearerChallenge, insufficientScope, stepUpFailure, stepUpScope } from '../../../main/firewall/identity/oauth-step-up.js';
import { sendWithOAuth, upstreamOAuth } from '../../../main/firewall/identity/oauth-upstream.js';
import { noCredentialsLock } from '../../helpers/no-credentials-lock.js';

// Step-up on 403 insufficient_scope: what is read from the challenge, what the client is
// told, and that nothing is fetched or retried because of it (the integration test,
// oauth-remote.test.ts, runs it against the fixture server end to end).

const challenge = (value: string, status = 403) => new Response(null, { status, headers: { 'www-authenticate': value } });

describe('the insufficient_scope challenge', () => {
  it('reads error and scope from a Bearer challenge, quoted or not, with escapes', () => {
    expect(insufficientScope(challenge('Bearer error="insufficient_scope", scope="repo read:org", resource_metadata="https://x.test/.well-known/oauth-protected-resource"'))).toEqual({ scope: 'repo read:org' });
    expect(insufficientScope(challenge('Bearer realm="x", error=insufficient_scope, scope=files'))).toEqual({ scope: 'files' });
    expect(bearerChallenge('Bearer error_description="say \\"hi\\"", scope="a"')?.get('error_description')).toBe('say "hi"');
    expect(insufficientScope(challenge('Bearer error="insufficient_scope"'))).toEqual({ scope: undefined });
  });

  it('is not one for another 403, another status or another scheme', () => {
    expect(insufficientScope(challenge('Bearer error="invalid_token"'))).toBeNull();
    expect(insufficientScope(new Response(null, { status: 403 }))).toBeNull();
    expect(insufficientScope(challenge('Bearer error="insufficient_scope", scope="a"', 401))).toBeNull();
    expect(insufficientScope(challenge('DPoP error="insufficient_scope", scope="a"'))).toBeNull();
    // A parameter whose name merely ends in "scope" is not the scope.
    expect(insufficientScope(challenge('Bearer error="insufficient_scope", xscope="evil"'))).toEqual({ scope: undefined });
  });
});

describe('the command the client is told to run', () => {
  it('asks for the login\'s scopes plus the missing ones, each once', () => {
    expect(stepUpScope('mcp:tools repo', 'repo admin:org')).toBe('mcp:tools repo admin:org');
    expect(stepUpFailure('gh', 'repo', 'admin:org')).toBe(`remote server 'gh' refused the request (HTTP 403): the firewall's OAuth token lacks a scope it needs (admin:org); log in again with it: mcp-firewall auth login --scope "repo admin:org" gh`);
    // A login from before the granted scope was kept: what was asked for, at least.
    expect(stepUpFailure('gh', undefined, 'https://www.googleapis.com/auth/drive.readonly')).toContain('--scope "https://www.googleapis.com/auth/drive.readonly"');
  });

  it('never repeats a scope a shell would read as anything but text', () => {
    for (const evil of ['$(touch /tmp/pwned)', '`id`', 'a!b', 'x\\"; rm', '%PATH%']) {
      const told = stepUpFailure('gh', 'repo', evil);
      expect(told).not.toContain(evil);
      expect(told).toMatch(/not one the firewall repeats in a command.*mcp-firewall auth login --scope "SCOPES" gh$/);
    }
    expect(stepUpScope('repo', Array.from({ length: 40 }, (_, i) => `s${i}`).join(' '))).toBeNull();
  });

  it('says so when the server names no scope', () => {
    expect(stepUpFailure('gh', 'repo', undefined)).toMatch(/did not say which; .*mcp-firewall auth login --scope "SCOPES" gh$/);
  });
});

describe('sendWithOAuth on a 403 insufficient_scope', () => {
  it('answers with the command, audits it, and neither refreshes nor sends again', async () => {
    const audited: Array<[string, string]> = [];
    const server = JSON.stringify({ authorizationServerUrl: 'https://as.test/', mcpFirewallScope: 'mcp:tools' });
    const refreshFetch = (async () => {
      throw new Error('no OAuth request may be made');
    }) as typeof fetch;
    const oauth = upstreamOAuth({
      server: 'tracker',
      lock: noCredentialsLock,
      secrets: { AUTHORIZATION: 'Bearer at-1', OAUTH_REFRESH_TOKEN: 'rt-1', OAUTH_CLIENT: JSON.stringify({ client_id: 'c' }), OAUTH_SERVER: server },
      store: createMemorySecretStore(),
      fetch: refreshFetch,
      audit: (decision, reason) => void audited.push([decision, reason]),
    })!;
    let sent = 0;
    const result = await sendWithOAuth(oauth, 'Bearer at-1', async () => {
      sent++;
      return challenge('Bearer error="insufficient_scope", scope="mcp:vip", resource_metadata="https://elsewhere.test/prm"');
    });
    expect(sent).toBe(1);
    expect(result).toBe(`remote server 'tracker' refused the request (HTTP 403): the firewall's OAuth token lacks a scope it needs (mcp:vip); log in again with it: mcp-firewall auth login --scope "mcp:tools mcp:vip" tracker`);
    expect(audited).toEqual([['OAUTH_INSUFFICIENT_SCOPE', result]]);
  });

  it("a split login's read-only token refused a scope the login holds: no login would help, the policy might", async () => {
    const server = JSON.stringify({ authorizationServerUrl: 'https://as.test/', mcpFirewallScope: 'mcp:read mcp:write', mcpFirewallReadScope: 'mcp:read' });
    const oauth = upstreamOAuth({
      server: 'tracker',
      lock: noCredentialsLock,
      secrets: { AUTHORIZATION: 'Bearer at-full', AUTHORIZATION_READ: 'Bearer at-read', OAUTH_CLIENT: JSON.stringify({ client_id: 'c' }), OAUTH_SERVER: server },
      store: createMemorySecretStore(),
    })!;
    const refused = () => challenge('Bearer error="insufficient_scope", scope="mcp:write"');
    expect(await sendWithOAuth(oauth, 'Bearer at-read', async () => refused())).toMatch(/it needs mcp:write, which the firewall's OAuth login holds only in its write token.*class it as a write in the policy/);
    // The full token lacking a scope is step-up as before.
    expect(await sendWithOAuth(oauth, 'Bearer at-full', async () => challenge('Bearer error="insufficient_scope", scope="mcp:vip"'))).toContain('--scope "mcp:read mcp:write mcp:vip"');
  });
});
