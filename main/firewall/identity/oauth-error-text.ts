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

/**
 * What the authorization server answered, reduced to its error code or HTTP status, when
 * `error` carries the server's own text (an SDK OAuthError, whose message is the
 * server's error_description or raw body; a schema error quoting its answer); else undefined.
 */
export function serverAnswerText(error: unknown): string | undefined {
  const message = (error as Error | undefined)?.message ?? '';
  const status = /^HTTP (\d{3})\b/.exec(message)?.[1];
  const code = safeOAuthCode((error as { errorCode?: unknown } | undefined)?.errorCode);
  // The SDK's fallback for an answer that is no OAuth error: `server_error`, with the status and body in the message.
  if (code && status && code === 'server_error') return `the authorization server answered HTTP ${status}`;
  if (code) return `the authorization server answered ${code}`;
  if ((error as { errorCode?: unknown } | undefined)?.errorCode !== undefined) return 'the authorization server answered with an error';
  if ((error as Error | undefined)?.name === 'ZodError') return 'the authorization server gave no usable answer';
  return undefined;
}

export function refreshFailureText(error: unknown): string {
  if (error instanceof RefreshStopped || error instanceof OAuthOriginError) return error.message;
  const answered = serverAnswerText(error);
  if (answered) return answered;
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'the token endpoint did not answer in time';
  const status = /^HTTP (\d{3})\b/.exec((error as Error).message ?? '')?.[1];
  if (status) return `the authorization server answered HTTP ${status}`;
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof cause === 'string' && /^[A-Z0-9_]{1,40}$/.test(cause)) return `the token endpoint could not be reached (${cause})`;
  return 'the token endpoint gave no usable answer';
}
