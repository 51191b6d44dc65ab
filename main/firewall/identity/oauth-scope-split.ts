import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { SAFE_SCOPE } from './oauth-step-up.js';

// DESIGN §6: a read call never carries a write token. When the scopes an OAuth login was
// granted fall plainly into read-only and write ones, the firewall also holds an access
// token narrowed to the read-only ones (AUTHORIZATION_READ). Conservative on purpose: a
// scope is read-only only when its name says so in a common spelling (`read`, `x:read`,
// `read:x`, `x.readonly`), and a grant holding any scope that is neither plainly read nor
// plainly write (`repo`, `admin:org`, `drive`, `Files.ReadWrite`) is not split at all.
// Such a scope might be what reads need (a narrowed token would break them) or might
// allow writes (a read would then hold a write token); guessing either way is worse than
// today's single token.

const READ_WORDS = new Set(['read', 'readonly', 'read_only', 'read-only']);
const WRITE_WORDS = new Set(['write']);
/** Words that make a scope more than a read wherever they stand (`read:admin`, `read.write`). */
const NEVER_READ = new Set(['write', 'readwrite', 'read_write', 'admin', 'manage', 'delete']);
/** OpenID Connect's own scopes: who the user is and a refresh token, nothing at the resource. */
const NEUTRAL = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

type ScopeClass = 'read' | 'write' | 'neutral' | null;

export function classifyScope(scope: string): ScopeClass {
  // A name with characters no real scope has is never a read-only scope: it would be shown (status, audit) as one.
  if (!SAFE_SCOPE.test(scope)) return null;
  const lower = scope.toLowerCase();
  if (NEUTRAL.has(lower)) return 'neutral';
  const words = lower.split(/[:./]/);
  const ends = [words[0]!, words[words.length - 1]!];
  if (ends.some((w) => WRITE_WORDS.has(w))) return 'write';
  if (ends.some((w) => READ_WORDS.has(w)) && !words.some((w) => NEVER_READ.has(w))) return 'read';
  return null;
}

export type ScopeSplit = { readScope: string } | { reason: string };

function scopes(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(' ').filter((s) => s !== ''))];
}

/** Scopes as the user may see them (status, audit): only the ones that are plainly scope names. */
function shown(list: string[]): string {
  const safe = list.filter((s) => SAFE_SCOPE.test(s)).slice(0, 8);
  return safe.length > 0 ? safe.join(' ') : 'scopes with unusual characters';
}

function unclearScopes(list: string[]): string {
  if (!list.every((s) => SAFE_SCOPE.test(s))) return 'a granted scope with unusual characters is';
  return list.length === 1 ? `the granted scope ${list[0]} is` : `the granted scopes ${shown(list)} are`;
}

/**
 * Whether the login granted `granted` can hold a read-only token beside its own, and the
 * scope to narrow it to (the read-only and OpenID scopes of the grant); else why not.
 */
export function splitScopes(granted: string | undefined, hasRefreshToken: boolean): ScopeSplit {
  const all = scopes(granted);
  if (all.length === 0) return { reason: 'the server named no scopes (neither scopes_supported in its metadata nor scope in the token response), so read-only ones cannot be told' };
  const unclear = all.filter((s) => classifyScope(s) === null);
  if (unclear.length > 0) return { reason: `${unclearScopes(unclear)} neither plainly read-only nor plainly write` };
  const reads = all.filter((s) => classifyScope(s) === 'read');
  if (reads.length === 0) return { reason: `no read-only scope among those granted (${shown(all)})` };
  if (!all.some((s) => classifyScope(s) === 'write')) return { reason: `only read-only scopes were granted (${shown(all)}): the one token cannot write` };
  if (!hasRefreshToken) return { reason: 'the authorization server issued no refresh token, which a read-only token is obtained with' };
  return { readScope: all.filter((s) => classifyScope(s) !== 'write').join(' ') };
}

/**
 * Why a token asked for with `asked` may not be used as the read-only one: the server
 * granted more than asked (it ignored the narrowing), or did not say what it granted.
 * RFC 6749 §5.1 lets a response leave `scope` out when it is the scope asked for, but a
 * server that ignores the narrowing says nothing either: unverified is not read-only.
 */
export function widerThanAsked(asked: string, tokens: OAuthTokens): string | null {
  if (scopes(tokens.scope).length === 0) return 'the authorization server did not say which scope the narrowed token has (no scope in its answer), so it is not known to be read-only';
  const allowed = new Set(scopes(asked));
  const extra = scopes(tokens.scope).filter((s) => !allowed.has(s));
  return extra.length > 0 ? `the authorization server granted more than the read-only scope asked for (${shown(extra)})` : null;
}

/**
 * Why `tokens`, asked for narrowed to `asked`, may not be the read-only token: as
 * widerThanAsked, or it is the full access token itself (`full`, bare or `Bearer …`).
 */
export function notReadOnly(asked: string, tokens: OAuthTokens, full: string | undefined): string | null {
  const bare = full?.replace(/^Bearer\s+/i, '');
  if (bare !== undefined && tokens.access_token === bare) return 'the authorization server answered the narrowed request with the full access token itself';
  return widerThanAsked(asked, tokens);
}
