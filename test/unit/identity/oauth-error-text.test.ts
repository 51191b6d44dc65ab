import { InvalidGrantError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { describe, expect, it } from 'vitest';
import { oauthLoginFailure } from '../../../main/firewall/identity/oauth-login.js';

// What a failed login says (`auth login`, the dashboard's row, the audit): the firewall's
// own reasons whole, an authorization server's only as its error code or HTTP status —
// its error_description or raw body could repeat a code, a token or anything else.

describe('oauthLoginFailure', () => {
  it("repeats an authorization server's error code, never its description", () => {
    const text = oauthLoginFailure('tracker', new InvalidGrantError('code c-secret was already used by rt-secret'));
    expect(text).toBe("OAuth login of 'tracker' failed: the authorization server answered invalid_grant");
  });

  it('repeats only the HTTP status of an answer that was no OAuth error (the SDK quotes its raw body)', () => {
    const text = oauthLoginFailure('tracker', new ServerError('HTTP 502: Invalid OAuth error response: SyntaxError. Raw body: <html>at-secret</html>'));
    expect(text).toBe("OAuth login of 'tracker' failed: the authorization server answered HTTP 502");
  });

  it("keeps the firewall's own reasons and a connection failure's cause", () => {
    expect(oauthLoginFailure('tracker', new Error('the authorization server issued no tokens'))).toBe("OAuth login of 'tracker' failed: the authorization server issued no tokens");
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(oauthLoginFailure('tracker', refused)).toBe("OAuth login of 'tracker' failed: fetch failed (ECONNREFUSED)");
  });
});
