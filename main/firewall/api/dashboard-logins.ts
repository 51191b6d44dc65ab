import { randomBytes } from 'node:crypto';
import { tokensEqual } from './http-util.js';

// The login link `mcp-firewall dashboard` opens. It lands in browser history and maybe in
// a terminal's scrollback, so it works once, and only for a short while: the CLI asks the
// running engine for a fresh one (with the bearer token) each time.

export const LOGIN_KEY_TTL_MS = 2 * 60_000;

export interface LoginKeys {
  mint(): string;
  /** True once for a key minted and not yet used or expired; the key is spent either way. */
  take(key: string): boolean;
}

export function createLoginKeys(ttlMs = LOGIN_KEY_TTL_MS, now: () => number = Date.now): LoginKeys {
  const keys = new Map<string, number>();
  const forgetExpired = () => {
    for (const [key, expires] of keys) if (expires <= now()) keys.delete(key);
  };
  return {
    mint() {
      forgetExpired();
      const key = randomBytes(32).toString('base64url');
      keys.set(key, now() + ttlMs);
      return key;
    },
    take(key) {
      forgetExpired();
      for (const known of keys.keys()) {
        if (!tokensEqual(known, key)) continue;
        keys.delete(known);
        return true;
      }
      return false;
    },
  };
}
