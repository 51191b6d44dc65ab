import { askedWaitMs, MAX_SERVER_WAIT_MS } from './reopen-backoff.js';

/**
 * A server that answered a POST 429 (too many requests) or 503 (unavailable) with a
 * Retry-After asked to be left alone that long. Until then a session's requests are
 * answered at once with why, unsent: a client or a model retrying at once on an error, as
 * many do, would only be refused again and keep the server over its limit. Capped as the
 * GET stream's wait is (MAX_SERVER_WAIT_MS): a Retry-After of a day must not leave the
 * session useless for a day. A message that is no request (a notification, the answer to a
 * server's own request) still goes: held back, it would be lost, and it is no retry.
 */
export interface RetryWindow {
  /** A POST was refused with `response`: a 429 or 503 asking for a wait opens the window. */
  refused(response: Response): void;
  /** Why a request cannot be sent now (the window is open), or null. */
  holding(): string | null;
}

export function createRetryWindow(server: string, now: () => number = () => Date.now()): RetryWindow {
  let until = 0;
  let status = 0;
  return {
    refused(response) {
      const asked = askedWaitMs(response);
      if (!asked) return;
      until = now() + Math.min(asked, MAX_SERVER_WAIT_MS);
      status = response.status;
    },
    holding() {
      const left = until - now();
      if (left <= 0) return null;
      return `remote server '${server}' answered HTTP ${status} and asked for a wait (Retry-After); the firewall sends it none of this session's requests for another ${secondsText(left)}: try again then`;
    },
  };
}

/** A wait in whole seconds, rounded up, as Retry-After counts it: for an error text. */
export function secondsText(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}
