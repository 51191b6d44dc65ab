import type { StoredOAuth } from '../../../main/firewall/identity/oauth-secrets.js';

/** A stored login for tests that stub the network: nothing but its client and authorization server, plus what the test sets. */
export function storedOAuth(login: Pick<StoredOAuth, 'client' | 'discovery'> & Partial<StoredOAuth>): StoredOAuth {
  return {
    authorization: undefined, refreshToken: undefined, expiresAt: undefined, scope: undefined, readScope: undefined,
    noSplit: undefined, readAuthorization: undefined, readExpiresAt: undefined, ...login,
  };
}
