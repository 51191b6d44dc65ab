import { OAuthOriginError } from './oauth-fetch.js';

// What an authorization server said when it refused, in words that may reach the client,
// `auth status` and the audit. A server's own text (error_description, a raw body the SDK
// quotes) could repeat the very token it refused, so only its error code and HTTP status
// are repeated; the firewall's own reasons are kept whole.

const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** An OAuth error code in RFC 6749 §5.2's charset, else undefined. */
export function safeOAuthCode(code: unknown): string | undefined {
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
}

/** A refresh the firewall itself would not make (the login is gone, the client belongs elsewhere…): its message is ours. */
export class RefreshStopped extends Error {}

export function refreshFailureText(error: unknown): string {
  if (error instanceof RefreshStopped || error instanceof OAuthOriginError) return error.message;
  const code = safeOAuthCode((error as { errorCode?: unknown }).errorCode);
  if (code) return `the authorization server answered ${code}`;
  const status = /^HTTP (\d{3})\b/.exec((error as Error).message ?? '')?.[1];
  if (status) return `the authorization server answered HTTP ${status}`;
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof cause === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause)) return `the token endpoint could not be reached (${cause})`;
  return 'the token endpoint gave no usable answer';
}
